package dev.offpeak.batcher;

import dev.offpeak.schemas.events.JobSealed;

/**
 * What intake made of one input record: a task ready for dedup, a job seal, or a rejection whose
 * original bytes go to the DLQ (the reason is in the record's headers). Lives only between the
 * intake processor and the branch that follows it, so it is never serialized.
 */
sealed interface Intake {
    record Task(PendingTask task) implements Intake {}

    record Seal(JobSealed seal) implements Intake {}

    record Rejected(byte[] original) implements Intake {}

    static Intake task(PendingTask task) {
        return new Task(task);
    }

    static Intake seal(JobSealed seal) {
        return new Seal(seal);
    }

    static Intake rejected(byte[] original) {
        return new Rejected(original == null ? new byte[0] : original);
    }
}
