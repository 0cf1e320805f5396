package dev.offpeak.batcher;

import dev.offpeak.schemas.events.JobSealed;

/**
 * What flows through the by-lane repartition topic: a line for a lane (keyed by lane) or a job
 * seal (keyed by job id, copied to every partition). Exactly one field is set; a plain record
 * keeps the internal wire format free of Java type ids.
 */
public record LaneInput(PendingTask item, JobSealed seal) {
    static LaneInput item(PendingTask item) {
        return new LaneInput(item, null);
    }

    static LaneInput seal(JobSealed seal) {
        return new LaneInput(null, seal);
    }
}
