package dev.offpeak.result.metrics;

import dev.offpeak.result.store.PipelineState;
import dev.offpeak.result.settle.Settlement;
import dev.offpeak.result.submit.SyncThrottle;
import dev.offpeak.schemas.events.Provider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of result-service, one scheme: {@code offpeak.result.<thing>} with low-cardinality tags
 * (provider, model, outcome, status); besides them the budgets' gauges ({@code offpeak.budget.*},
 * {@link BudgetGauges}) and the per-task cost histogram ({@code offpeak.task.cost.usd},
 * {@link TaskCostHistogram}). Money meters are doubles for dashboards and alerts only; the exact
 * figures are the numeric columns in Postgres. Every metric name is a constant here (deploy-tools
 * checks the rules and the dashboard against them).
 */
public final class ResultMetrics {
    public static final String SUBMIT_CALLS = "offpeak.result.submit.calls";
    public static final String POLL_CALLS = "offpeak.result.poll.calls";
    public static final String LINES_SETTLED = "offpeak.result.lines.settled";
    public static final String BATCHES_SETTLED = "offpeak.result.batches.settled";
    public static final String COUNT_MISMATCHES = "offpeak.result.settlement.mismatches";
    /** Pipeline batches by state and mode (tags state, mode): a flex / sync batch runs its calls in {@code submitting}. */
    public static final String BATCHES = "offpeak.result.batches";
    /** Calls of flex / sync batches (tags provider, mode, outcome: answered, retried, gave_up). */
    public static final String SYNC_CALLS = "offpeak.result.sync.calls";
    public static final String SYNC_THROTTLE_SECONDS = "offpeak.result.sync.throttle.seconds";
    public static final String COST = "offpeak.result.cost.usd";
    public static final String SAVED = "offpeak.result.saved.usd";
    public static final String SETTLEMENT_SECONDS = "offpeak.result.settlement.seconds";
    public static final String TOKENS_RESERVED = "offpeak.result.tokens.reserved";
    public static final String TOKENS_QUOTA = "offpeak.result.tokens.quota";
    public static final String LOOP_FAILURES = "offpeak.result.loop.failures";
    /** Per active budget (tags budget, tenant, mode, period): its limit, spent and reserved USD ({@link BudgetGauges}). */
    public static final String BUDGET_LIMIT = "offpeak.budget.limit.usd";
    public static final String BUDGET_SPENT = "offpeak.budget.spent.usd";
    public static final String BUDGET_RESERVED = "offpeak.budget.reserved.usd";
    /**
     * USD per task that paid, a Prometheus histogram (tags tenant, model, feature) recorded with
     * {@link #taskCost}; exported as {@code offpeak_task_cost_usd_bucket}, {@code _count} and {@code _sum}.
     */
    public static final String TASK_COST = "offpeak.task.cost.usd";
    /**
     * Distinct {@code metadata.feature} values one tenant's tasks are exported under, per process: the
     * first this many values seen are tags as themselves, every later one is {@value #OTHER_FEATURE}.
     */
    public static final int FEATURES_PER_TENANT = 50;
    /** The feature tag of a task without {@code metadata.feature}. */
    public static final String NO_FEATURE = "none";
    /** The feature tag of a tenant's features past the first {@value #FEATURES_PER_TENANT}. */
    public static final String OTHER_FEATURE = "other";
    public static final List<String> STATES =
            java.util.Arrays.stream(PipelineState.values()).map(PipelineState::db).toList();
    /** Outcomes of a submission attempt ({@link #submitCall}). */
    public static final List<String> SUBMIT_OUTCOMES =
            List.of("created", "adopted", "failed", "quota_wait", "retry_later");
    /** Modes a batch runs in (tag {@code mode} of {@link #BATCHES}). */
    public static final List<String> MODES = List.of("batch", "flex", "sync");
    /**
     * Outcomes of a synchronous call ({@link #syncCall}): answered (the provider's answer, success or
     * a request error, stored), retried (408 / 429 / 5xx, tried again), gave_up (still refused after
     * the retry policy's attempts; settled as a retryable error).
     */
    public static final List<String> SYNC_OUTCOMES = List.of("answered", "retried", "gave_up");
    /** Outcomes of a poll ({@link #pollCall}). */
    public static final List<String> POLL_OUTCOMES =
            List.of("in_progress", "token_limit_exceeded", "terminal", "retry_later", "failed");

    private final Map<String, AtomicLong> batchesByState = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> reservedByModel = new ConcurrentHashMap<>();
    private final TaskCostHistogram taskCosts;

    private final MeterRegistry registry;

    public ResultMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.taskCosts = new TaskCostHistogram(registry, FEATURES_PER_TENANT);
        for (String state : STATES) {
            for (String mode : MODES) {
                AtomicLong value = new AtomicLong();
                batchesByState.put(state + "|" + mode, value);
                Gauge.builder(BATCHES, value, AtomicLong::get).description("pipeline batches by state and mode")
                        .tag("state", state).tag("mode", mode).register(registry);
            }
        }
        // every counter with tags known in advance starts at 0, so dashboards show 0 instead of "no
        // data" and increase() sees the first event (model-tagged ones appear with their first model)
        for (Provider provider : Provider.values()) {
            SUBMIT_OUTCOMES.forEach(outcome -> submitCounter(provider, outcome));
            POLL_OUTCOMES.forEach(outcome -> pollCounter(provider, outcome));
            settledCounter(provider);
            mismatchCounter(provider);
            for (String mode : List.of("flex", "sync")) {
                SYNC_OUTCOMES.forEach(outcome -> syncCounter(provider, mode, outcome));
            }
            for (SyncThrottle.Cause cause : SyncThrottle.Cause.values()) {
                throttleCounter(provider, cause.id());
            }
        }
    }

    /** One synchronous call of a flex / sync batch, by outcome ({@link #SYNC_OUTCOMES}). */
    public void syncCall(Provider provider, String mode, String outcome) {
        syncCounter(provider, mode, outcome).increment();
    }

    /**
     * Time synchronous calls waited before they were sent, to keep within the provider's rate limits, by
     * cause: configured (OFFPEAK_RESULT_SYNC_RATE_LIMITS), provider_limit (the provider's rate-limit
     * headers), retry_after (a 429 paused the lane).
     */
    public void syncThrottled(Provider provider, SyncThrottle.Cause cause, Duration waited) {
        throttleCounter(provider, cause.id()).increment(waited.toNanos() / 1e9);
    }

    private Counter throttleCounter(Provider provider, String cause) {
        return Counter.builder(SYNC_THROTTLE_SECONDS).baseUnit("seconds")
                .description("seconds synchronous calls waited to stay within the provider's rate limits")
                .tag("provider", provider.id()).tag("cause", cause).register(registry);
    }

    private Counter syncCounter(Provider provider, String mode, String outcome) {
        return Counter.builder(SYNC_CALLS).description("calls of flex / sync batches by outcome")
                .tag("provider", provider.id()).tag("mode", mode).tag("outcome", outcome).register(registry);
    }

    /** Sets the batches-by-state-and-mode gauges from a fresh count keyed {@code state|mode} (absent keys are zero). */
    public void batchStates(Map<String, Long> counts) {
        batchesByState.forEach((state, value) -> value.set(counts.getOrDefault(state, 0L)));
    }

    /** Tokens reserved by submitting and in-flight batches of one model, beside its configured quota. */
    public void reservedTokens(String provider, String model, long reserved, long quota) {
        String key = provider + "/" + model;
        reservedByModel.computeIfAbsent(key, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(TOKENS_RESERVED, value, AtomicLong::get)
                    .description("estimated tokens enqueued at the provider (submitting + in flight)")
                    .tag("provider", provider).tag("model", model).register(registry);
            if (quota > 0) {
                Gauge.builder(TOKENS_QUOTA, () -> quota).description("configured enqueued-token quota")
                        .tag("provider", provider).tag("model", model).register(registry);
            }
            return value;
        }).set(reserved);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * One task that paid ({@code costUsd > 0}; free tasks, duplicates included, are not recorded), called
     * once per publication of its {@code task.completed} ({@link TaskCostProducer}). {@code feature} is the
     * task's {@code metadata.feature} (null or blank: {@value #NO_FEATURE}), capped per tenant
     * ({@value #FEATURES_PER_TENANT}, then {@value #OTHER_FEATURE}); see {@link TaskCostHistogram}.
     */
    public void taskCost(String tenant, String model, String feature, BigDecimal costUsd) {
        taskCosts.record(tenant, model, feature, costUsd);
    }

    /** The per-task cost histogram (what {@link #taskCost} recorded). */
    public TaskCostHistogram taskCosts() {
        return taskCosts;
    }

    /** Rounds of the loop named {@code loop} that threw; registered (at 0) when the loop is built. */
    public Counter loopFailures(String loop) {
        return Counter.builder(LOOP_FAILURES).description("rounds of a work loop that failed (logged, retried)")
                .tag("loop", loop).register(registry);
    }

    public void submitCall(Provider provider, String outcome) {
        submitCounter(provider, outcome).increment();
    }

    public void pollCall(Provider provider, String outcome) {
        pollCounter(provider, outcome).increment();
    }

    private Counter submitCounter(Provider provider, String outcome) {
        return Counter.builder(SUBMIT_CALLS).description("provider batch create attempts by outcome")
                .tag("provider", provider.id()).tag("outcome", outcome).register(registry);
    }

    private Counter pollCounter(Provider provider, String outcome) {
        return Counter.builder(POLL_CALLS).description("provider batch polls by outcome")
                .tag("provider", provider.id()).tag("outcome", outcome).register(registry);
    }

    private Counter settledCounter(Provider provider) {
        return Counter.builder(BATCHES_SETTLED).description("provider batches settled")
                .tag("provider", provider.id()).register(registry);
    }

    private Counter mismatchCounter(Provider provider) {
        return Counter.builder(COUNT_MISMATCHES).description("batches whose results did not account for every line")
                .tag("provider", provider.id()).register(registry);
    }

    public void settled(Provider provider, String model, Settlement.Settled settled, Duration took) {
        Timer.builder(SETTLEMENT_SECONDS).description("time to download and settle one batch")
                .tag("provider", provider.id()).register(registry).record(took);
        Counter.builder(COST).description("billed batch cost (exact figures are in Postgres)")
                .tag("provider", provider.id()).tag("model", model).register(registry)
                .increment(settled.costUsd().doubleValue());
        Counter.builder(SAVED).description("saved against synchronous list prices (exact figures are in Postgres)")
                .tag("provider", provider.id()).tag("model", model).register(registry)
                .increment(settled.savedUsd().doubleValue());
        lines(provider, model, "succeeded", settled.counts().succeeded());
        lines(provider, model, "errored", settled.counts().errored());
        lines(provider, model, "expired", settled.counts().expired());
        lines(provider, model, "cancelled", settled.counts().cancelled());
        settledCounter(provider).increment();
        if (settled.mismatch()) {
            mismatchCounter(provider).increment();
        }
    }

    private void lines(Provider provider, String model, String status, long count) {
        if (count > 0) {
            Counter.builder(LINES_SETTLED).description("result lines settled by status")
                    .tag("provider", provider.id()).tag("model", model).tag("status", status)
                    .register(registry).increment(count);
        }
    }
}
