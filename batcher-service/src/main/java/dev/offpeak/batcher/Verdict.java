package dev.offpeak.batcher;

/**
 * The dedup decision for one task: the first of its request within the window (it brings a new
 * line to its lane), a duplicate of an earlier task, or a redelivery (the same task id came back,
 * a producer retry: accepted again without a second line). Never serialized.
 */
sealed interface Verdict {
    PendingTask task();

    long acceptedAtMillis();

    record First(PendingTask task, long acceptedAtMillis) implements Verdict {}

    record Duplicate(PendingTask task, String originalTaskId, long acceptedAtMillis) implements Verdict {}

    record Redelivery(PendingTask task, long acceptedAtMillis) implements Verdict {}
}
