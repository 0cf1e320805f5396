package dev.offpeak.batcher;

import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Step 3: the first task with a request id within the dedup window goes on to packing; later ones
 * are duplicates of it. Runs on the packing key's partition: identical requests have the same
 * packing key (lane, prefix and shard all follow from the request), so every task with the same id
 * meets the same store, whichever route it took. The store is keyed by request id (the record key
 * is the packing key). Time is the record's timestamp (when the task was produced), so a replay
 * after a crash decides exactly as the first run did, and tests drive it without sleeping. The
 * window store's retention is the dedup window: older ids expire on their own.
 */
final class Dedup implements Processor<String, PendingTask, String, Verdict> {
    static final String STORE = "dedup-store";

    private final Duration window;
    private final BatcherMetrics metrics;
    private ProcessorContext<String, Verdict> context;
    private WindowStore<String, String> seen;

    Dedup(Duration window, BatcherMetrics metrics) {
        this.window = window;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Verdict> context) {
        this.context = context;
        this.seen = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, PendingTask> record) {
        PendingTask task = record.value();
        long at = record.timestamp();
        String original = firstWithin(task.requestId(), at);
        long now = context.currentSystemTimeMs();
        Verdict verdict;
        if (original == null) {
            seen.put(task.requestId(), task.taskId(), at);
            verdict = new Verdict.First(task, now);
        } else if (original.equals(task.taskId())) {
            verdict = new Verdict.Redelivery(task, now);
        } else {
            metrics.duplicate();
            verdict = new Verdict.Duplicate(task, original, now);
        }
        context.forward(record.withValue(verdict));
    }

    /**
     * Looks both ways: tasks of one request id arrive from several input partitions (in place, or
     * moved through the repartition topic), so one with an earlier timestamp may be processed after
     * one with a later timestamp.
     */
    private String firstWithin(String requestId, long at) {
        long w = window.toMillis();
        try (WindowStoreIterator<String> it = seen.fetch(requestId, at - w, at + w)) {
            return it.hasNext() ? it.next().value : null;
        }
    }
}
