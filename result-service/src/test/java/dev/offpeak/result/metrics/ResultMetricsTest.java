package dev.offpeak.result.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.Provider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Counters whose tags are known in advance exist from the start at 0, and count from there; the per-task
 * cost distribution records tasks that paid, with at most {@value ResultMetrics#FEATURES_PER_TENANT}
 * features per tenant, as a Prometheus histogram with its fixed buckets.
 */
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

    @Test
    void eachTenantKeepsItsFirstFiftyFeaturesAndTheRestAreOther() {
        ResultMetrics metrics = new ResultMetrics(new SimpleMeterRegistry());
        TaskCostHistogram costs = metrics.taskCosts();
        BigDecimal cost = new BigDecimal("0.0021");
        for (int i = 0; i < 60; i++) {
            metrics.taskCost("acme", "gpt-4o-mini", "f" + i, cost);
        }
        metrics.taskCost("acme", "gpt-4o-mini", "f7", cost); // kept before the cap: still itself
        metrics.taskCost("acme", "gpt-4o-mini", "f55", cost); // past the cap: other, again
        metrics.taskCost("acme", "claude-haiku", "f3", cost); // the cap is per tenant, not per model
        metrics.taskCost("acme", "gpt-4o-mini", null, cost);
        metrics.taskCost("acme", "gpt-4o-mini", " ", cost);
        for (int i = 100; i < 160; i++) {
            metrics.taskCost("globex", "gpt-4o-mini", "f" + i, cost); // another tenant has its own 50
        }

        assertThat(costs.features("acme")).hasSize(ResultMetrics.FEATURES_PER_TENANT + 2)
                .contains("f0", "f49", ResultMetrics.OTHER_FEATURE, ResultMetrics.NO_FEATURE)
                .doesNotContain("f50", "f59");
        assertThat(costs.count("acme", "gpt-4o-mini", "f7")).isEqualTo(2);
        assertThat(costs.count("acme", "gpt-4o-mini", ResultMetrics.OTHER_FEATURE)).isEqualTo(11);
        assertThat(costs.count("acme", "gpt-4o-mini", ResultMetrics.NO_FEATURE)).isEqualTo(2);
        assertThat(costs.count("acme", "claude-haiku", "f3")).isEqualTo(1);
        assertThat(costs.features("globex")).hasSize(ResultMetrics.FEATURES_PER_TENANT + 1)
                .contains("f100", "f149", ResultMetrics.OTHER_FEATURE).doesNotContain("f150");
        assertThat(costs.count("globex", "gpt-4o-mini", ResultMetrics.OTHER_FEATURE)).isEqualTo(10);
    }

    @Test
    void onlyTasksThatPaidAreRecordedAndTheCapHoldsUnderConcurrentRecording() throws Exception {
        ResultMetrics metrics = new ResultMetrics(new SimpleMeterRegistry());
        metrics.taskCost("acme", "gpt-4o-mini", "free", BigDecimal.ZERO);
        metrics.taskCost("acme", "gpt-4o-mini", "free", null);
        assertThat(metrics.taskCosts().features("acme")).isEmpty();

        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int offset = t * 40;
            threads[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 40; i++) {
                    metrics.taskCost("acme", "gpt-4o-mini", "f" + (offset + i), new BigDecimal("0.5"));
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Set<String> features = metrics.taskCosts().features("acme");
        assertThat(features).hasSize(ResultMetrics.FEATURES_PER_TENANT + 1);
        assertThat(features.stream().mapToLong(f -> metrics.taskCosts().count("acme", "gpt-4o-mini", f)).sum())
                .isEqualTo(160);
    }

    @Test
    void theCostDistributionIsScrapedAsAPrometheusHistogramInDollars() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ResultMetrics metrics = new ResultMetrics(registry);
        metrics.taskCost("acme", "gpt-4o-mini", "reviews", new BigDecimal("0.0000015"));
        metrics.taskCost("acme", "gpt-4o-mini", "reviews", new BigDecimal("0.003"));
        metrics.taskCost("acme", "gpt-4o-mini", "reviews", new BigDecimal("12"));

        assertThat(TaskCostHistogram.BUCKETS).hasSizeLessThanOrEqualTo(24).isSorted().startsWith(1e-6).endsWith(10.0);
        for (int i = 1; i < TaskCostHistogram.BUCKETS.length; i++) {
            double step = TaskCostHistogram.BUCKETS[i] / TaskCostHistogram.BUCKETS[i - 1];
            assertThat(step).as("bucket %d", i).isBetween(1.9, 2.6);
        }
        String scrape = registry.scrape();
        String labels = "{feature=\"reviews\",model=\"gpt-4o-mini\",tenant=\"acme\"";
        String bucket = "offpeak_task_cost_usd_bucket" + labels + ",le=";
        assertThat(scrape.lines().filter(l -> l.startsWith(bucket)).count())
                .isEqualTo(TaskCostHistogram.BUCKETS.length + 1);
        // sub-dollar costs land in their own buckets (a Micrometer DistributionSummary would put them under le=1)
        assertThat(scrape).contains(bucket + "\"1.0E-6\"} 0").contains(bucket + "\"2.5E-6\"} 1")
                .contains(bucket + "\"0.0025\"} 1").contains(bucket + "\"0.005\"} 2")
                .contains(bucket + "\"10.0\"} 2").contains(bucket + "\"+Inf\"} 3")
                .contains("offpeak_task_cost_usd_count" + labels + "} 3")
                .contains("offpeak_task_cost_usd_sum" + labels + "} 12.0030015")
                .contains("# TYPE offpeak_task_cost_usd histogram");
        Set<String> names = new TreeSet<>();
        scrape.lines().filter(l -> l.startsWith("offpeak_task_cost")).forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        assertThat(names).containsExactlyInAnyOrder("offpeak_task_cost_usd_bucket", "offpeak_task_cost_usd_count",
                "offpeak_task_cost_usd_sum");
    }

    private static double counter(SimpleMeterRegistry registry, String name, Provider provider, String tag,
            String value) {
        Counter counter = registry.get(name).tag("provider", provider.id()).tag(tag, value).counter();
        return counter.count();
    }
}
