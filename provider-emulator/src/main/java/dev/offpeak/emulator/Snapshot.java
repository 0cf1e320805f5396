package dev.offpeak.emulator;

import java.time.Instant;

/**
 * A batch as seen at one instant. Timestamps are null until the clock has reached them.
 *
 * @param linesDone  lines finished (successfully or with an HTTP error)
 * @param linesOk    of those, the ones that succeeded
 */
public record Snapshot(Phase phase, int linesDone, int linesOk, Instant validatedAt, Instant finalizingAt,
                       Instant endedAt, Instant cancellingAt, Instant updatedAt) {

    public int linesFailed() {
        return linesDone - linesOk;
    }
}
