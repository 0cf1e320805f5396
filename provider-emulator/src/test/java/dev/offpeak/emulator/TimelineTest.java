package dev.offpeak.emulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** State as a pure function of time: no server, no files. */
class TimelineTest {
    private static final Instant T0 = Instant.parse("2026-08-20T10:00:00Z");
    private final Timeline timeline = new Timeline(new EmulatorConfig.Speed(10, Duration.ofSeconds(60),
            Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(7)));

    private static Batch batch(int lines, Faults.BatchFault fault, BitSet failures) {
        return new Batch(new Batch.Spec("b", Provider.OPENAI, T0, "m", lines, 0, null, failures,
                Optional.ofNullable(fault), null, Json.object()));
    }

    @Test
    void turnaroundStretchesSmallBatchesAndLinesFinishAtAnEvenRate() {
        Batch b = batch(100, null, new BitSet());
        assertThat(timeline.at(b, T0.plusSeconds(4)).phase()).isEqualTo(Phase.VALIDATING);
        Snapshot half = timeline.at(b, T0.plusSeconds(35));
        assertThat(half.phase()).isEqualTo(Phase.IN_PROGRESS);
        assertThat(half.linesDone()).isEqualTo(50);
        assertThat(timeline.at(b, T0.plusSeconds(65)).phase()).isEqualTo(Phase.FINALIZING);
        Snapshot done = timeline.at(b, T0.plusSeconds(68));
        assertThat(done.phase()).isEqualTo(Phase.COMPLETED);
        assertThat(done.endedAt()).isEqualTo(T0.plusSeconds(68));
    }

    @Test
    void linesPerSecondBoundsLargeBatches() {
        Batch b = batch(6000, null, new BitSet());
        assertThat(timeline.at(b, T0.plusSeconds(5 + 300)).linesDone()).isEqualTo(3000);
        assertThat(timeline.at(b, T0.plusSeconds(5 + 600 + 3)).phase()).isEqualTo(Phase.COMPLETED);
    }

    @Test
    void failedLinesAreCountedSeparately() {
        BitSet failures = new BitSet();
        failures.set(1);
        Snapshot s = timeline.at(batch(10, null, failures), T0.plusSeconds(5 + 60 + 3));
        assertThat(s.linesOk()).isEqualTo(9);
        assertThat(s.linesFailed()).isEqualTo(1);
    }

    @Test
    void expiryFaultStopsAtKLines() {
        Snapshot s = timeline.at(batch(100, new Faults.BatchFault.ExpireAfterLines(10), new BitSet()), T0.plusSeconds(30));
        assertThat(s.phase()).isEqualTo(Phase.EXPIRED);
        assertThat(s.linesDone()).isEqualTo(10);
        assertThat(s.endedAt()).isEqualTo(T0.plusSeconds(11));
    }

    @Test
    void cancelDuringValidationCancelsWithNothingDone() {
        Batch b = batch(100, null, new BitSet());
        b.requestCancel(T0.plusSeconds(1));
        assertThat(timeline.at(b, T0.plusSeconds(2)).phase()).isEqualTo(Phase.CANCELLING);
        Snapshot s = timeline.at(b, T0.plusSeconds(8));
        assertThat(s.phase()).isEqualTo(Phase.CANCELLED);
        assertThat(s.linesDone()).isZero();
        assertThat(s.validatedAt()).isNull();
    }

    @Test
    void aCancelAfterTheEndChangesNothing() {
        Batch b = batch(10, null, new BitSet());
        b.requestCancel(T0.plusSeconds(500));
        assertThat(timeline.at(b, T0.plusSeconds(600)).phase()).isEqualTo(Phase.COMPLETED);
    }
}
