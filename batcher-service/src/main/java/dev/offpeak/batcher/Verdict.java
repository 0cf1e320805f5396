package dev.offpeak.batcher;

/**
 * The dedup decision for one task. {@code redelivery}: the same task id came back (a producer
 * retry) and is accepted again without a second line. Never serialized.
 */
record Verdict(PendingTask task, boolean duplicate, String originalTaskId, boolean redelivery, long acceptedAtMillis) {
    /** Whether this task brings a new line to its lane. */
    boolean needsLine() {
        return !duplicate && !redelivery;
    }
}
