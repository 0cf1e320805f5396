package dev.offpeak.result.metrics;

import dev.offpeak.result.settle.Settlement;
import dev.offpeak.schemas.events.Provider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters of result-service, one scheme: {@code offpeak.result.<thing>} with low-cardinality tags
 * (provider, model, outcome, status). Money counters are for dashboards only; the exact figures are
 * the numeric columns in Postgres.
 */
public final class ResultMetrics {
    public static final String SUBMIT_CALLS = "offpeak.result.submit.calls";
    public static final String POLL_CALLS = "offpeak.result.poll.calls";
    public static final String LINES_SETTLED = "offpeak.result.lines.settled";
    public static final String BATCHES_SETTLED = "offpeak.result.batches.settled";
    public static final String COUNT_MISMATCHES = "offpeak.result.settlement.mismatches";

    private final MeterRegistry registry;

    public ResultMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void submitCall(Provider provider, String outcome) {
        Counter.builder(SUBMIT_CALLS).description("provider batch create attempts by outcome")
                .tag("provider", provider.id()).tag("outcome", outcome).register(registry).increment();
    }

    public void pollCall(Provider provider, String outcome) {
        Counter.builder(POLL_CALLS).description("provider batch polls by outcome")
                .tag("provider", provider.id()).tag("outcome", outcome).register(registry).increment();
    }

    public void settled(Provider provider, String model, Settlement.Settled settled) {
        lines(provider, model, "succeeded", settled.counts().succeeded());
        lines(provider, model, "errored", settled.counts().errored());
        lines(provider, model, "expired", settled.counts().expired());
        lines(provider, model, "cancelled", settled.counts().cancelled());
        Counter.builder(BATCHES_SETTLED).description("provider batches settled")
                .tag("provider", provider.id()).register(registry).increment();
        if (settled.mismatch()) {
            Counter.builder(COUNT_MISMATCHES).description("batches whose results did not account for every line")
                    .tag("provider", provider.id()).register(registry).increment();
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
