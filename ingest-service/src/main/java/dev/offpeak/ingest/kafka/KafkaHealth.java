package dev.offpeak.ingest.kafka;

import dev.offpeak.ingest.config.IngestConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Readiness: can we reach a broker right now. Answers are cached briefly so a probe storm does not
 * become an admin-request storm.
 */
public final class KafkaHealth implements AutoCloseable {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** @param detail "N broker(s)" or why not reachable */
    public record Status(boolean up, String detail) {}

    private final Admin admin;
    private Status last;
    private long lastAt;

    public KafkaHealth(IngestConfig config) {
        Map<String, Object> props = new HashMap<>();
        config.kafkaSettings().applyTo(props); // security settings: the probe must get in like the producer
        props.keySet().removeIf(k -> !AdminClientConfig.configNames().contains(k));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "offpeak-ingest-health");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        this.admin = Admin.create(props);
    }

    public synchronized Status check() {
        if (last != null && System.nanoTime() - lastAt < CACHE_NANOS) {
            return last;
        }
        last = probe();
        lastAt = System.nanoTime();
        return last;
    }

    private Status probe() {
        try {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT.toMillis()))
                    .nodes().get(PROBE_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS).size();
            return new Status(brokers > 0, brokers + " broker(s)");
        } catch (ExecutionException e) {
            return new Status(false, "unreachable: " + e.getCause().getClass().getSimpleName());
        } catch (java.util.concurrent.TimeoutException e) {
            return new Status(false, "unreachable: no answer within " + PROBE_TIMEOUT.toMillis() + "ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Status(false, "interrupted");
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
