package dev.offpeak.batcher;

import dev.offpeak.schemas.events.CloseReason;
import dev.offpeak.schemas.events.Provider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The batcher's meters, created once under {@code offpeak.batcher.*} with low-cardinality tags
 * ({@code provider}, {@code reason}). Every tag combination is known up front (DLQ reasons,
 * providers, close reasons), so all are registered at start: a dashboard shows 0, not "no data",
 * before the first bad record or closed batch, and the hot path does no registry lookups. Under
 * exactly-once a task that is reprocessed after an aborted transaction is counted again: counters
 * are rates for dashboards, not ledgers.
 */
public final class BatcherMetrics {
    public static final String TASKS_IN = "offpeak.batcher.tasks.in";
    public static final String ROUTED = "offpeak.batcher.tasks.routed";
    public static final String DUPLICATES = "offpeak.batcher.duplicates";
    public static final String DLQ = "offpeak.batcher.dlq";
    public static final String LINES = "offpeak.batcher.lines";
    public static final String OPEN_BATCHES = "offpeak.batcher.batches.open";
    public static final String CLOSED = "offpeak.batcher.batches.closed";
    public static final String BATCH_ITEMS = "offpeak.batcher.batch.items";
    public static final String BATCH_BYTES = "offpeak.batcher.batch.bytes";
    public static final String BATCH_FILL = "offpeak.batcher.batch.fill";

    private final MeterRegistry registry;
    private final Counter tasksIn;
    private final Counter routedInPlace;
    private final Counter routedRepartition;
    private final Counter duplicates;
    private final Counter lines;
    private final AtomicLong openBatches = new AtomicLong();
    private final Map<String, Counter> dlq = new HashMap<>();
    private final Map<Provider, Map<CloseReason, Counter>> closed = new EnumMap<>(Provider.class);
    private final Map<Provider, DistributionSummary> batchItems = new EnumMap<>(Provider.class);
    private final Map<Provider, DistributionSummary> batchBytes = new EnumMap<>(Provider.class);
    private final Map<Provider, DistributionSummary> batchFill = new EnumMap<>(Provider.class);

    public BatcherMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.tasksIn = Counter.builder(TASKS_IN).description("Task records read from offpeak.tasks (process rate)")
                .register(registry);
        this.routedInPlace = Counter.builder(ROUTED)
                .description("Valid tasks by route: in_place (already on their packing key's partition, the fast path) "
                        + "or repartition (moved through the by-packing-key topic)")
                .tag("path", "in_place").register(registry);
        this.routedRepartition = Counter.builder(ROUTED)
                .description("Valid tasks by route: in_place (already on their packing key's partition, the fast path) "
                        + "or repartition (moved through the by-packing-key topic)")
                .tag("path", "repartition").register(registry);
        this.duplicates = Counter.builder(DUPLICATES)
                .description("Tasks accepted as duplicates of an earlier identical request").register(registry);
        this.lines = Counter.builder(LINES).description("Lines appended to batches").register(registry);
        Gauge.builder(OPEN_BATCHES, openBatches, AtomicLong::get).description("Batches open right now")
                .register(registry);
        for (String reason : DlqRecords.REASONS) {
            dlq.put(reason, Counter.builder(DLQ).description("Records sent to the DLQ").tag("reason", reason)
                    .register(registry));
        }
        for (Provider provider : Provider.values()) {
            Map<CloseReason, Counter> byReason = new EnumMap<>(CloseReason.class);
            for (CloseReason reason : CloseReason.values()) {
                byReason.put(reason, Counter.builder(CLOSED).description("Batches closed, by reason")
                        .tag("provider", provider.id()).tag("reason", reason.id()).register(registry));
            }
            closed.put(provider, byReason);
            batchItems.put(provider, DistributionSummary.builder(BATCH_ITEMS).description("Lines per closed batch")
                    .tag("provider", provider.id()).register(registry));
            batchBytes.put(provider, DistributionSummary.builder(BATCH_BYTES).description("Bytes per closed batch")
                    .baseUnit("bytes").tag("provider", provider.id()).register(registry));
            batchFill.put(provider, DistributionSummary.builder(BATCH_FILL)
                    .description("Fill ratio of a closed batch: its fullest limit (requests, bytes or tokens), 0..1")
                    .tag("provider", provider.id()).register(registry));
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    void taskIn() {
        tasksIn.increment();
    }

    void routed(boolean inPlace) {
        (inPlace ? routedInPlace : routedRepartition).increment();
    }

    void duplicate() {
        duplicates.increment();
    }

    void dlq(String reason) {
        Counter counter = dlq.get(reason);
        if (counter == null) {
            throw new IllegalArgumentException("unknown DLQ reason " + reason + "; add it to DlqRecords.REASONS");
        }
        counter.increment();
    }

    void line() {
        lines.increment();
    }

    void batchOpened() {
        openBatches.incrementAndGet();
    }

    /** A processor handing its lanes to another instance no longer owns their open batches. */
    void batchesReleased(long count) {
        openBatches.addAndGet(-count);
    }

    void batchClosed(Provider provider, CloseReason reason, long items, long bytes, double fill) {
        openBatches.decrementAndGet();
        closed.get(provider).get(reason).increment();
        batchItems.get(provider).record(items);
        batchBytes.get(provider).record(bytes);
        batchFill.get(provider).record(fill);
    }
}
