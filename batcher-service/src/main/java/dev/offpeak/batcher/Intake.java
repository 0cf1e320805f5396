package dev.offpeak.batcher;

import dev.offpeak.schemas.events.JobSealed;

/**
 * What intake made of one input record: a task ready for dedup, a job seal, or a rejection whose
 * original bytes go to the DLQ (the reason is in the record's headers). A task knows whether it
 * already sits on its packing key's partition ({@code inPlace}: the fast path) or must be moved
 * there through the repartition topic. Lives only between the intake processor and the branch
 * that follows it, so it is never serialized.
 */
sealed interface Intake {
    record Task(PendingTask task, boolean inPlace) implements Intake {}

    record Seal(JobSealed seal) implements Intake {}

    record Rejected(byte[] original) implements Intake {}

    static Intake task(PendingTask task, boolean inPlace) {
        return new Task(task, inPlace);
    }

    static Intake seal(JobSealed seal) {
        return new Seal(seal);
    }

    static Intake rejected(byte[] original) {
        return new Rejected(original == null ? new byte[0] : original);
    }
}
