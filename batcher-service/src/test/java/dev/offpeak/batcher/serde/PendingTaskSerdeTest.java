package dev.offpeak.batcher.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.batcher.PackingInput;
import dev.offpeak.batcher.PendingTask;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.Provider;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PendingTaskSerdeTest {
    private static final PendingTask TASK = new PendingTask("t-1", "acme", null, Provider.ANTHROPIC, "/v1/messages",
            "claude-haiku-4-5", Map.of("feature", "reviews"), Instant.parse("2026-11-24T06:00:00Z"), null,
            "ab".repeat(32), "anthropic|/v1/messages|claude-haiku-4-5", "{\"custom_id\":\"x\",\"params\":{\"q\":\"é\\\"\"}}",
            40, 12, new BigDecimal("0.0000042"), "0123456789abcdef", 7);

    @Test
    void packingInputsCarryTasksExactlyAndSeals() {
        var serde = PendingTaskSerde.packingInputs();
        PackingInput seal = PackingInput.seal(new JobSealed("job-1", "acme", 3L, Instant.parse("2026-11-23T02:30:00Z")));
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", seal))).isEqualTo(seal);
        PackingInput item = PackingInput.item(TASK);
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", item))).isEqualTo(item);
    }
}
