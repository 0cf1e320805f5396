package dev.offpeak.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service's meters, all under {@code offpeak.ingest}, created once at start-up. Tags are
 * low-cardinality by construction: {@code endpoint} and {@code reason} come from enums, never from
 * request content.
 */
public final class IngestMetrics {
    public static final String ACCEPTED = "offpeak.ingest.tasks.accepted";
    public static final String REJECTED = "offpeak.ingest.tasks.rejected";
    public static final String SEND_LATENCY = "offpeak.ingest.send.latency";
    public static final String JOBS_SEALED = "offpeak.ingest.jobs.sealed";

    /** Which way a task came in. */
    public enum Endpoint {
        SINGLE, BULK, OPENAI_BATCH, SEAL;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Endpoint, Counter> accepted = new EnumMap<>(Endpoint.class);
    private final Map<Endpoint, Map<ErrorCode, Counter>> rejected = new EnumMap<>(Endpoint.class);
    private final Timer sendOk;
    private final Timer sendFailed;
    private final Counter jobsSealed;

    public IngestMetrics() {
        for (Endpoint endpoint : Endpoint.values()) {
            accepted.put(endpoint, Counter.builder(ACCEPTED).description("Tasks acknowledged by Kafka and answered 202")
                    .tag("endpoint", endpoint.tag()).register(registry));
            Map<ErrorCode, Counter> byReason = new EnumMap<>(ErrorCode.class);
            for (ErrorCode code : ErrorCode.values()) {
                byReason.put(code, Counter.builder(REJECTED).description("Tasks or requests not accepted, by reason")
                        .tag("endpoint", endpoint.tag()).tag("reason", code.id()).register(registry));
            }
            rejected.put(endpoint, byReason);
        }
        sendOk = sendTimer("ok");
        sendFailed = sendTimer("failed");
        jobsSealed = Counter.builder(JOBS_SEALED).description("job.sealed events published").register(registry);
    }

    private Timer sendTimer(String outcome) {
        return Timer.builder(SEND_LATENCY).description("From producer.send to the broker's acknowledgement")
                .tag("outcome", outcome).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    public void accepted(Endpoint endpoint) {
        accepted.get(endpoint).increment();
    }

    public void rejected(Endpoint endpoint, ErrorCode reason) {
        rejected.get(endpoint).get(reason).increment();
    }

    public void jobSealed() {
        jobsSealed.increment();
    }

    public void sendLatency(long nanos, boolean ok) {
        (ok ? sendOk : sendFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
