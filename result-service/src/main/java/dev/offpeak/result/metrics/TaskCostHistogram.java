package dev.offpeak.result.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cost of each task that paid, USD, as a Prometheus histogram {@value ResultMetrics#TASK_COST}
 * (series {@code offpeak_task_cost_usd_bucket{tenant, model, feature, le}}, {@code _count}, {@code _sum}):
 * what the rules' per-task P95 and the cost anomaly alert read.
 *
 * <p>Why not a Micrometer {@code DistributionSummary}: Micrometer's fixed-boundary histograms count a
 * value in the bucket of {@code Math.ceil(value)}, so every cost under a dollar (nearly all of them)
 * would land in the first bucket at or above 1. Micrometer's remedy, {@code scale()}, would export
 * micro-dollars under a name that says USD. This is the Prometheus client's own histogram, registered in
 * the {@link PrometheusMeterRegistry}'s registry, so it is scraped from {@code /metrics} with the other
 * meters; over any other registry (tests) it records without being exported.
 *
 * <p>Buckets ({@link #BUCKETS}): 1, 2.5 and 5 per decade from a millionth of a dollar (a tiny embedding)
 * to 10 USD (a long reasoning answer), steps of x2 to x2.5, 22 bounds plus +Inf, so a P95 that triples
 * moves by at least one bucket. Values are doubles, good for percentiles and alerts; the exact cost stays
 * in {@code tasks.cost_usd}.
 *
 * <p>Cardinality: tenants and models are bounded (tenants by the token file, models by the registry);
 * {@code metadata.feature} is free text, so each tenant's first {@code featuresPerTenant} distinct values
 * seen by this process are tags as themselves and every later value is {@value ResultMetrics#OTHER_FEATURE}.
 * A task without the key (or with a blank value) is {@value ResultMetrics#NO_FEATURE}; the values
 * {@code none} and {@code other} themselves take no place. At most tenants x models x
 * (featuresPerTenant + 2) x 25 series. Which 50 are kept depends on arrival order since the process
 * started, so two replicas (or one before and after a restart) may keep different ones.
 */
public final class TaskCostHistogram {
    /** The upper bounds of the classic buckets, USD (+Inf is added). */
    static final double[] BUCKETS = {
            1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
            0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Histogram histogram;
    private final int featuresPerTenant;
    private final Map<String, Set<String>> featuresByTenant = new ConcurrentHashMap<>();

    TaskCostHistogram(MeterRegistry registry, int featuresPerTenant) {
        this.featuresPerTenant = featuresPerTenant;
        this.histogram = Histogram.builder()
                .name(ResultMetrics.TASK_COST.replace('.', '_'))
                .help("cost of each task that paid, USD (exact figures are in Postgres)")
                .labelNames("tenant", "model", "feature")
                .classicUpperBounds(BUCKETS)
                .classicOnly()
                .withoutExemplars()
                .build();
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            prometheus.getPrometheusRegistry().register(histogram);
        }
    }

    /** Records one task's cost; a cost of zero (or none) is not a task that paid and is not recorded. */
    void record(String tenant, String model, String feature, BigDecimal costUsd) {
        if (costUsd == null || costUsd.signum() <= 0) {
            return;
        }
        histogram.labelValues(tenant, model, featureTag(tenant, feature)).observe(costUsd.doubleValue());
    }

    /** How many tasks were recorded under these tags (0 when none). */
    public long count(String tenant, String model, String feature) {
        HistogramSnapshot.HistogramDataPointSnapshot point = point(tenant, model, feature);
        return point == null ? 0 : point.getCount();
    }

    /** The sum of the costs recorded under these tags, USD (0 when none). */
    public double sum(String tenant, String model, String feature) {
        HistogramSnapshot.HistogramDataPointSnapshot point = point(tenant, model, feature);
        return point == null ? 0 : point.getSum();
    }

    /** The feature tags recorded for {@code tenant}. */
    public Set<String> features(String tenant) {
        Set<String> features = new java.util.TreeSet<>();
        for (HistogramSnapshot.HistogramDataPointSnapshot p : histogram.collect().getDataPoints()) {
            if (tenant.equals(p.getLabels().get("tenant"))) {
                features.add(p.getLabels().get("feature"));
            }
        }
        return features;
    }

    private HistogramSnapshot.HistogramDataPointSnapshot point(String tenant, String model, String feature) {
        for (HistogramSnapshot.HistogramDataPointSnapshot p : histogram.collect().getDataPoints()) {
            if (tenant.equals(p.getLabels().get("tenant")) && model.equals(p.getLabels().get("model"))
                    && feature.equals(p.getLabels().get("feature"))) {
                return p;
            }
        }
        return null;
    }

    /** The feature tag of a task of {@code tenant}: itself while the tenant has room, else other. */
    String featureTag(String tenant, String feature) {
        if (feature == null || feature.isBlank() || feature.equals(ResultMetrics.NO_FEATURE)) {
            return ResultMetrics.NO_FEATURE;
        }
        if (feature.equals(ResultMetrics.OTHER_FEATURE)) {
            return ResultMetrics.OTHER_FEATURE;
        }
        Set<String> kept = featuresByTenant.computeIfAbsent(tenant, t -> ConcurrentHashMap.newKeySet());
        if (kept.contains(feature)) {
            return feature;
        }
        synchronized (kept) {
            if (kept.contains(feature) || kept.size() < featuresPerTenant && kept.add(feature)) {
                return feature;
            }
            return ResultMetrics.OTHER_FEATURE;
        }
    }
}
