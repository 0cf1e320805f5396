package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batcher as an embeddable service: {@link #start(BatcherConfig)} reads the partition count of
 * {@code offpeak.tasks} (waiting for the topic a while, see {@link TaskPartitions}; an exception if
 * it cannot), builds the topology and runs it; {@link #close()} stops it cleanly (committing). Local mode and tests embed it; {@link
 * BatcherMain} runs it as a process.
 */
public final class BatcherService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatcherService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final Admin probe;
    private final BatcherMetrics metrics;
    private final CompletableFuture<KafkaStreams.State> terminated = new CompletableFuture<>();

    private BatcherService(KafkaStreams streams, Admin probe, BatcherMetrics metrics) {
        this.streams = streams;
        this.probe = probe;
        this.metrics = metrics;
    }

    public static BatcherService start(BatcherConfig config) {
        return start(config, new SimpleMeterRegistry());
    }

    public static BatcherService start(BatcherConfig config, MeterRegistry registry) {
        log.info("batcher configuration:{}", config.describe());
        BatcherMetrics metrics = new BatcherMetrics(registry);
        ModelRegistry catalog = ModelRegistry.loadConfigured(config.modelRegistryFile(), "batcher");
        int taskPartitions = TaskPartitions.read(adminProperties(config, "offpeak-batcher-setup", SETUP_TIMEOUT));
        log.info("{} has {} partitions: so has the {} repartition topic", Topics.TASKS.name(), taskPartitions,
                BatcherTopology.BY_PACKING_KEY);
        Topology topology = BatcherTopology.build(config, catalog, metrics, taskPartitions);
        log.debug("batcher topology:\n{}", topology.describe());
        KafkaStreams streams = new KafkaStreams(topology, streamsProperties(config));
        // Bad input never throws (it goes to the DLQ), so an exception here is a bug or a broken
        // broker: stop this instance and let the process exit and be restarted. Exactly-once
        // means nothing is lost; replacing the thread would only loop on the same record.
        streams.setUncaughtExceptionHandler(e -> {
            log.error("batcher stream thread failed; shutting this instance down", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        BatcherService service = new BatcherService(streams, Admin.create(probeProperties(config)), metrics);
        streams.setStateListener((next, previous) -> {
            // Kafka's own INFO lines are off in the shipped logging configuration; this is the one that matters.
            log.info("batcher state {} -> {}", previous, next);
            if (next == KafkaStreams.State.ERROR || next == KafkaStreams.State.NOT_RUNNING) {
                service.terminated.complete(next);
            }
        });
        streams.start();
        return service;
    }

    /**
     * Kafka Streams settings derived from the config; exactly_once_v2 always. The operator's
     * pass-through ({@code OFFPEAK_KAFKA_*}) goes in first: what the batcher owns is refused there
     * (BatcherConfig), and its producer tuning below gives way to the operator's.
     */
    public static Properties streamsProperties(BatcherConfig config) {
        Properties props = new Properties();
        config.kafkaSettings().applyTo(props);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        // Tasks produced before the first start must be batched too.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Fewer, larger produce requests: lines are ~1 KiB and many go out per commit.
        tuneProducer(props, ProducerConfig.LINGER_MS_CONFIG, 10);
        tuneProducer(props, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                (int) Math.max(1_048_576L, config.maxRecordBytes() + 65_536L));
        if (!config.instanceId().isEmpty()) {
            // Static membership: a restarted instance takes its partitions back at once instead of
            // waiting for the dead one's session to time out.
            props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.instanceId());
        }
        return props;
    }

    /**
     * Sets {@code producer.<property>} unless the operator set {@code <property>} or
     * {@code producer.<property>}: a prefixed value would silently win over the operator's plain one.
     */
    private static void tuneProducer(Properties props, String property, Object value) {
        if (!props.containsKey(property) && !props.containsKey(StreamsConfig.producerPrefix(property))) {
            props.put(StreamsConfig.producerPrefix(property), value);
        }
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Whether the cluster answers a metadata request within {@link #PROBE_TIMEOUT}, asked at most once
     * per {@link #PROBE_PERIOD}: Streams itself stays RUNNING through a broker outage and waits, so
     * readiness asks the brokers directly, with the same client settings as the Streams clients.
     */
    public synchronized boolean brokerReachable() {
        long now = System.nanoTime();
        if (now - probedAt < PROBE_PERIOD.toNanos()) {
            return reachable;
        }
        try {
            probe.describeCluster().nodes().get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            reachable = true;
        } catch (ExecutionException | TimeoutException e) {
            reachable = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reachable = false;
        }
        probedAt = System.nanoTime();
        return reachable;
    }

    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(1500);
    private static final Duration PROBE_PERIOD = Duration.ofSeconds(1);
    private long probedAt = System.nanoTime() - PROBE_PERIOD.toNanos();
    private boolean reachable;

    /** The properties of the readiness probe's admin client: the bootstrap and the plain pass-through settings. */
    static Properties probeProperties(BatcherConfig config) {
        return adminProperties(config, "offpeak-batcher-health", PROBE_TIMEOUT);
    }

    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);

    /**
     * An admin client's properties with the Streams clients' settings: the bootstrap and the plain
     * pass-through ({@code OFFPEAK_KAFKA_*} without a client prefix, e.g. the SASL settings).
     */
    static Properties adminProperties(BatcherConfig config, String clientId, Duration timeout) {
        Properties props = new Properties();
        config.kafkaSettings().properties().forEach((key, value) -> {
            if (!key.contains(".") || !STREAMS_CLIENT_PREFIXES.contains(key.substring(0, key.indexOf('.') + 1))) {
                props.put(key, value);
            }
        });
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return props;
    }

    private static final Set<String> STREAMS_CLIENT_PREFIXES = Set.of("producer.", "consumer.", "main.consumer.",
            "restore.consumer.", "global.consumer.", "admin.", "topic.");

    public BatcherMetrics metrics() {
        return metrics;
    }

    /** Completes with ERROR or NOT_RUNNING when the instance stops, for whatever reason. */
    public CompletableFuture<KafkaStreams.State> terminated() {
        return terminated;
    }

    public boolean isRunning() {
        return streams.state().isRunningOrRebalancing();
    }

    @Override
    public void close() {
        streams.close(CLOSE_TIMEOUT);
        probe.close(Duration.ofSeconds(5));
    }
}
