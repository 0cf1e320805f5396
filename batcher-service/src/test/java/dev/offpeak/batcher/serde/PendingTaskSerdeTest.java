package dev.offpeak.batcher.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.batcher.PackingInput;
import dev.offpeak.batcher.PendingTask;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.RequestedMode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class PendingTaskSerdeTest {
    private static final PendingTask TASK = new PendingTask("t-1", "acme", null, Provider.ANTHROPIC, "/v1/messages",
            "claude-haiku-4-5", Map.of("feature", "reviews"), Instant.parse("2026-11-24T06:00:00Z"), null,
            "ab".repeat(32), "anthropic|/v1/messages|claude-haiku-4-5", "{\"custom_id\":\"x\",\"params\":{\"q\":\"é\\\"\"}}",
            40, 12, new BigDecimal("0.0000042"), "0123456789abcdef", 7, null);

    private static PackingInput roundTrip(PackingInput input) {
        var serde = PendingTaskSerde.packingInputs();
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", input));
    }

    @Test
    void packingInputsCarryTasksExactlyAndSeals() {
        PackingInput seal = PackingInput.seal(new JobSealed("job-1", "acme", 3L, Instant.parse("2026-11-23T02:30:00Z")));
        assertThat(roundTrip(seal)).isEqualTo(seal);
        PackingInput item = PackingInput.item(TASK);
        assertThat(roundTrip(item)).isEqualTo(item);
    }

    @Test
    void everyRequestedModeCrossesTheRepartition() {
        for (RequestedMode mode : RequestedMode.values()) {
            PackingInput item = PackingInput.item(withMode(TASK, mode));
            assertThat(roundTrip(item)).as(mode.id()).isEqualTo(item);
        }
    }

    @Test
    void aVersionTwoRecordFromABatcherBeforeModesReadsAsATaskThatAskedNone() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(2);
            out.writeByte('I');
            BinaryFormat.string(out, "t-1");
            BinaryFormat.string(out, "acme");
            BinaryFormat.string(out, null);
            BinaryFormat.string(out, "anthropic");
            BinaryFormat.string(out, "/v1/messages");
            BinaryFormat.string(out, "claude-haiku-4-5");
            out.writeInt(1);
            BinaryFormat.string(out, "feature");
            BinaryFormat.string(out, "reviews");
            BinaryFormat.string(out, "2026-11-24T06:00:00Z");
            BinaryFormat.string(out, null);
            BinaryFormat.string(out, "ab".repeat(32));
            BinaryFormat.string(out, "anthropic|/v1/messages|claude-haiku-4-5");
            BinaryFormat.string(out, "{\"custom_id\":\"x\",\"params\":{\"q\":\"é\\\"\"}}");
            out.writeLong(40);
            out.writeLong(12);
            BinaryFormat.string(out, "0.0000042");
            BinaryFormat.string(out, "0123456789abcdef");
            out.writeLong(7);
        }
        PackingInput read = PendingTaskSerde.packingInputs().deserializer().deserialize("t", buffer.toByteArray());
        assertThat(read).isEqualTo(PackingInput.item(TASK));
    }

    @Test
    void aVersionThisBatcherDoesNotKnowIsRefusedNamingIt() {
        byte[] record = PendingTaskSerde.packingInputs().serializer().serialize("t", PackingInput.item(TASK));
        record[0] = 4;
        assertThatThrownBy(() -> PendingTaskSerde.packingInputs().deserializer().deserialize("t", record))
                .isInstanceOf(SerializationException.class)
                .hasMessage("unknown PackingInput format version 4 (this batcher reads versions 2 to 3)");
    }

    private static PendingTask withMode(PendingTask t, RequestedMode mode) {
        return new PendingTask(t.taskId(), t.tenant(), t.jobId(), t.provider(), t.endpoint(), t.model(), t.metadata(),
                t.notAfter(), t.submittedAt(), t.requestId(), t.lane(), t.line(), t.lineBytes(), t.estimatedTokens(),
                t.estimatedCostUsd(), t.prefixFingerprint(), t.prefixTokens(), mode);
    }
}
