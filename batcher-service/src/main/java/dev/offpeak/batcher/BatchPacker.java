package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.batcher.config.LaneLimits;
import dev.offpeak.batcher.LaneState.OpenBatch;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.CloseReason;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.packing.PackingKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5: append each new request's line to its lane's open batch on this partition and close
 * batches. Emits every {@link BatchItem} as it arrives, keyed by batch id, and the {@link
 * BatchClosed} marker after the last line; all records of a batch come from this one task and share
 * a key, so they land on one partition in order. Only the batch header is kept in state.
 *
 * <p>Open batches are per lane ({@code provider|endpoint|model}) and per packing partition: the
 * store key is the slot {@code lane|p<partition>} ({@link Lanes#slot}). The partition is that of
 * the record's packing key, which is this task's partition whichever route the task took; it is
 * computed from the key rather than read from the task so that a TopologyTestDriver, which runs
 * every partition in one task, keeps partitions apart as a cluster does. Tasks sharing a cacheable
 * prefix share a key, hence a partition and a batch.
 *
 * <p>A batch closes (a) when the next line would break the lane's request, byte or token limit,
 * or at once when it reaches the request limit; (b) when it is older than the maximum wait; (c)
 * when a job with lines in it is sealed. The seal may overtake a job's last tasks (seals and tasks
 * come from different topics by different routes, so nothing keeps their order), so a seal does
 * not close at once: the batch closes {@code sealGrace} later, and a line of an already-sealed job
 * arriving afterwards sets the same deadline on its batch. Sealed job ids are remembered for the
 * dedup window.
 */
final class BatchPacker implements Processor<String, PackingInput, String, BatchRecord> {
    static final String LANES_STORE = "lane-batches";
    static final String SEALED_STORE = "sealed-jobs";
    private static final Logger log = LoggerFactory.getLogger(BatchPacker.class);

    private final BatcherConfig config;
    private final BatcherMetrics metrics;
    private final int partitions;
    private ProcessorContext<String, BatchRecord> context;
    private KeyValueStore<String, LaneState> lanes;
    private KeyValueStore<String, Long> sealed;
    private long ownedOpen;

    /** {@code partitions}: of {@code offpeak.tasks} and the repartition topic. */
    BatchPacker(BatcherConfig config, BatcherMetrics metrics, int partitions) {
        this.config = config;
        this.metrics = metrics;
        this.partitions = partitions;
    }

    @Override
    public void init(ProcessorContext<String, BatchRecord> context) {
        this.context = context;
        this.lanes = context.getStateStore(LANES_STORE);
        this.sealed = context.getStateStore(SEALED_STORE);
        try (KeyValueIterator<String, LaneState> it = lanes.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value.open() != null) {
                    ownedOpen++;
                    metrics.batchOpened();
                }
            });
        }
        context.schedule(config.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::closeDue);
    }

    @Override
    public void process(Record<String, PackingInput> record) {
        switch (record.value()) {
            case PackingInput.Seal s -> seal(s.seal());
            case PackingInput.Item i -> append(PackingKey.partition(record.key(), partitions), i.item());
        }
    }

    private void append(int partition, PendingTask item) {
        long now = context.currentSystemTimeMs();
        LaneLimits limits = config.limitsFor(item.provider(), item.model());
        String slot = Lanes.slot(item.lane(), partition);
        LaneState state = lanes.get(slot);
        if (state == null) {
            state = new LaneState(item.provider(), item.endpoint(), item.model(), 0, null);
        }
        OpenBatch open = state.open();
        if (open != null) {
            CloseReason full = wouldBreak(open, item, limits);
            if (full != null) {
                state = close(state, full, now);
                open = null;
            }
        }
        if (open == null) {
            String batchId = Lanes.batchId(item.lane(), partition, item.provider(), now, state.nextNumber());
            open = new OpenBatch(batchId, 0, 0, 0, Instant.ofEpochMilli(now), List.of(), RunningSha256.empty(), null);
            state = new LaneState(state.provider(), state.endpoint(), state.model(), state.nextNumber() + 1, open);
            ownedOpen++;
            metrics.batchOpened();
        }
        context.forward(new Record<>(open.batchId(), item(open, item), now));
        metrics.line();
        open = appended(open, item, now);
        state = state.withOpen(open);
        if (open.count() >= limits.maxRequests()) {
            state = close(state, CloseReason.COUNT, now);
        }
        lanes.put(slot, state);
    }

    private static CloseReason wouldBreak(OpenBatch open, PendingTask item, LaneLimits limits) {
        if (open.count() + 1 > limits.maxRequests()) {
            return CloseReason.COUNT;
        }
        if (open.bytes() + item.lineBytes() > limits.maxBytes()) {
            return CloseReason.BYTES;
        }
        if (open.tokens() + item.estimatedTokens() > limits.maxTokens()) {
            return CloseReason.TOKENS;
        }
        return null;
    }

    private OpenBatch appended(OpenBatch open, PendingTask item, long now) {
        List<String> jobs = open.jobIds();
        Instant closeBy = open.closeBy();
        if (item.jobId() != null) {
            if (!jobs.contains(item.jobId())) {
                TreeSet<String> more = new TreeSet<>(jobs);
                more.add(item.jobId());
                jobs = List.copyOf(more);
            }
            if (sealed.get(item.jobId()) != null) {
                closeBy = earliest(closeBy, Instant.ofEpochMilli(now).plus(config.sealGrace()));
            }
        }
        byte[] id = (item.requestId() + "\n").getBytes(StandardCharsets.US_ASCII);
        return new OpenBatch(open.batchId(), open.count() + 1, open.bytes() + item.lineBytes(),
                open.tokens() + item.estimatedTokens(), open.openedAt(), jobs, open.checksum().update(id), closeBy);
    }

    private static BatchItem item(OpenBatch open, PendingTask t) {
        return new BatchItem(open.batchId(), t.lane(), t.provider(), t.endpoint(), t.model(), open.count(), t.requestId(),
                t.taskId(), t.tenant(), t.jobId(), t.line(), t.lineBytes(), t.estimatedTokens(), 1,
                t.prefixFingerprint(), t.prefixTokens(), t.mode());
    }

    private void seal(JobSealed seal) {
        long now = context.currentSystemTimeMs();
        sealed.put(seal.jobId(), now);
        Instant closeBy = Instant.ofEpochMilli(now).plus(config.sealGrace());
        for (KeyValue<String, LaneState> kv : openLanes()) {
            OpenBatch open = kv.value.open();
            if (open.jobIds().contains(seal.jobId())) {
                OpenBatch marked = new OpenBatch(open.batchId(), open.count(), open.bytes(), open.tokens(),
                        open.openedAt(), open.jobIds(), open.checksum(), earliest(open.closeBy(), closeBy));
                LaneState state = kv.value.withOpen(marked);
                if (config.sealGrace().isZero()) {
                    state = close(state, CloseReason.JOB_SEALED, now);
                }
                lanes.put(kv.key, state);
            }
        }
    }

    /** Wall-clock punctuation: close batches past their seal deadline or the maximum wait. */
    private void closeDue(long now) {
        Instant at = Instant.ofEpochMilli(now);
        for (KeyValue<String, LaneState> kv : openLanes()) {
            OpenBatch open = kv.value.open();
            CloseReason reason = null;
            if (open.closeBy() != null && !at.isBefore(open.closeBy())) {
                reason = CloseReason.JOB_SEALED;
            } else if (Duration.between(open.openedAt(), at).compareTo(config.maxWait()) >= 0) {
                reason = CloseReason.AGE;
            }
            if (reason != null) {
                lanes.put(kv.key, close(kv.value, reason, now));
            }
        }
        forgetOldSeals(now - config.dedupWindow().toMillis());
    }

    private LaneState close(LaneState state, CloseReason reason, long now) {
        OpenBatch open = state.open();
        LaneLimits limits = config.limitsFor(state.provider(), state.model());
        String lane = PackingKey.lane(state.provider(), state.endpoint(), state.model());
        BatchClosed marker = new BatchClosed(open.batchId(), lane, state.provider(), state.endpoint(), state.model(),
                open.count(), open.bytes(), open.tokens(), open.checksum().hex(), reason, open.openedAt(),
                Instant.ofEpochMilli(now), open.jobIds());
        context.forward(new Record<>(open.batchId(), marker, now));
        ownedOpen--;
        metrics.batchClosed(state.provider(), reason, open.count(), open.bytes(), fill(open, limits));
        log.debug("closed {} ({}): {} lines, {} bytes", open.batchId(), reason.id(), open.count(), open.bytes());
        return state.withOpen(null);
    }

    private static double fill(OpenBatch open, LaneLimits limits) {
        double f = Math.max((double) open.count() / limits.maxRequests(), (double) open.bytes() / limits.maxBytes());
        if (limits.maxTokens() != LaneLimits.UNLIMITED) {
            f = Math.max(f, (double) open.tokens() / limits.maxTokens());
        }
        return f;
    }

    /** Slots with an open batch, read out before any is changed (no store writes while iterating). */
    private List<KeyValue<String, LaneState>> openLanes() {
        List<KeyValue<String, LaneState>> result = new ArrayList<>();
        try (KeyValueIterator<String, LaneState> it = lanes.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value.open() != null) {
                    result.add(kv);
                }
            });
        }
        return result;
    }

    private void forgetOldSeals(long before) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = sealed.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value < before) {
                    old.add(kv.key);
                }
            });
        }
        old.forEach(sealed::delete);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    @Override
    public void close() {
        metrics.batchesReleased(ownedOpen);
    }
}
