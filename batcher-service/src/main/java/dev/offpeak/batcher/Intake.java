package dev.offpeak.batcher;

import dev.offpeak.schemas.events.JobSealed;

/**
 * What intake made of one input record: a task ready for dedup, a job seal, or a rejection whose
 * original bytes go to the DLQ (the reason is in the record's headers). Lives only between the
 * intake processor and the branch that follows it, so it is never serialized.
 */
record Intake(PendingTask task, JobSealed seal, byte[] rejected) {
    static Intake task(PendingTask task) {
        return new Intake(task, null, null);
    }

    static Intake seal(JobSealed seal) {
        return new Intake(null, seal, null);
    }

    static Intake rejected(byte[] original) {
        return new Intake(null, null, original == null ? new byte[0] : original);
    }

    boolean isRejected() {
        return rejected != null;
    }
}
