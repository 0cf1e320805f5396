package dev.offpeak.batcher.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.batcher.LaneState.OpenBatch;
import dev.offpeak.batcher.LaneState;
import dev.offpeak.batcher.RunningSha256;
import dev.offpeak.schemas.events.Provider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaneStateSerdeTest {
    private static final LaneStateSerde SERDE = new LaneStateSerde();
    private static final RunningSha256 CHECKSUM = RunningSha256.empty()
            .update(("ab".repeat(32) + "\n").getBytes(StandardCharsets.US_ASCII))
            .update(("cd".repeat(32) + "\n").getBytes(StandardCharsets.US_ASCII));
    private static final LaneState OPEN = new LaneState(Provider.GEMINI, "generateContent", "gemini-2.5-flash", 7,
            new OpenBatch("b-gemini-7", 2, 4_096, 900, Instant.parse("2026-11-23T04:00:00.123456789Z"),
                    List.of("job-a", "job-é"), CHECKSUM, Instant.parse("2026-11-23T04:00:02Z")));

    private static LaneState roundTrip(LaneState state) {
        return SERDE.deserializer().deserialize("t", SERDE.serializer().serialize("t", state));
    }

    @Test
    void openBatchSurvivesTheRoundTripExactly() {
        LaneState back = roundTrip(OPEN);
        assertThat(back).usingRecursiveComparison().isEqualTo(OPEN);
        assertThat(back.open().checksum().hex()).isEqualTo(CHECKSUM.hex());
    }

    @Test
    void laneWithoutOpenBatchAndWithoutDeadline() {
        LaneState idle = new LaneState(Provider.OPENAI, "/v1/chat/completions", "gpt-4o-mini", 3, null);
        assertThat(roundTrip(idle)).isEqualTo(idle);
        LaneState noDeadline = OPEN.withOpen(new OpenBatch("b", 1, 10, 1, Instant.EPOCH, List.of(), RunningSha256.empty(), null));
        assertThat(roundTrip(noDeadline)).usingRecursiveComparison().isEqualTo(noDeadline);
    }
}
