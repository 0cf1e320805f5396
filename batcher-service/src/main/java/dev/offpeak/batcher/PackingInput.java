package dev.offpeak.batcher;

import dev.offpeak.schemas.events.JobSealed;

/**
 * What reaches dedup and packing: a task (keyed by its packing key, on the fast path straight from
 * {@code offpeak.tasks}, otherwise through the by-packing-key repartition topic) or a job seal
 * (keyed by job id, copied to every partition of that topic). Its wire format is
 * {@link dev.offpeak.batcher.serde.PendingTaskSerde}'s tag byte, never a Java type id.
 */
public sealed interface PackingInput {
    record Item(PendingTask item) implements PackingInput {}

    record Seal(JobSealed seal) implements PackingInput {}

    static PackingInput item(PendingTask item) {
        return new Item(item);
    }

    static PackingInput seal(JobSealed seal) {
        return new Seal(seal);
    }
}
