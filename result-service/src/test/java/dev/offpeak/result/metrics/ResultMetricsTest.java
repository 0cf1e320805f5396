package dev.offpeak.result.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.Provider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Counters whose tags are known in advance exist from the start at 0, and count from there. */
class ResultMetricsTest {

    @Test
    void everyProviderCounterStartsAtZero() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ResultMetrics(registry);
        for (Provider provider : Provider.values()) {
            for (String outcome : ResultMetrics.SUBMIT_OUTCOMES) {
                assertThat(counter(registry, ResultMetrics.SUBMIT_CALLS, provider, "outcome", outcome)).isZero();
            }
            for (String outcome : ResultMetrics.POLL_OUTCOMES) {
                assertThat(counter(registry, ResultMetrics.POLL_CALLS, provider, "outcome", outcome)).isZero();
            }
            assertThat(registry.get(ResultMetrics.BATCHES_SETTLED).tag("provider", provider.id()).counter().count())
                    .isZero();
            assertThat(registry.get(ResultMetrics.COUNT_MISMATCHES).tag("provider", provider.id()).counter().count())
                    .isZero();
        }
    }

    @Test
    void aCallCountsOnTheCounterRegisteredAtStart() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ResultMetrics metrics = new ResultMetrics(registry);
        metrics.pollCall(Provider.GEMINI, "retry_later");
        metrics.pollCall(Provider.GEMINI, "retry_later");
        metrics.submitCall(Provider.ANTHROPIC, "adopted");

        assertThat(counter(registry, ResultMetrics.POLL_CALLS, Provider.GEMINI, "outcome", "retry_later")).isEqualTo(2);
        assertThat(counter(registry, ResultMetrics.POLL_CALLS, Provider.OPENAI, "outcome", "retry_later")).isZero();
        assertThat(counter(registry, ResultMetrics.SUBMIT_CALLS, Provider.ANTHROPIC, "outcome", "adopted")).isOne();
        assertThat(registry.find(ResultMetrics.POLL_CALLS).counters())
                .hasSize(Provider.values().length * ResultMetrics.POLL_OUTCOMES.size());
    }

    private static double counter(SimpleMeterRegistry registry, String name, Provider provider, String tag,
            String value) {
        Counter counter = registry.get(name).tag("provider", provider.id()).tag(tag, value).counter();
        return counter.count();
    }
}
