package dev.offpeak.batcher;

import dev.offpeak.schemas.events.JobSealed;

/**
 * What flows through the by-lane repartition topic: a line for a lane (keyed by lane) or a job
 * seal (keyed by job id, copied to every partition). Its wire format is
 * {@link dev.offpeak.batcher.serde.PendingTaskSerde}'s tag byte, never a Java type id.
 */
public sealed interface LaneInput {
    record Item(PendingTask item) implements LaneInput {}

    record Seal(JobSealed seal) implements LaneInput {}

    static LaneInput item(PendingTask item) {
        return new Item(item);
    }

    static LaneInput seal(JobSealed seal) {
        return new Seal(seal);
    }
}
