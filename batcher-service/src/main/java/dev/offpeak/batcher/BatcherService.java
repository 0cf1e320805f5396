package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.schemas.pricing.ModelRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batcher as an embeddable service: {@link #start(BatcherConfig)} builds the topology and runs
 * it; {@link #close()} stops it cleanly (committing). Local mode and tests embed it; {@link
 * BatcherMain} runs it as a process.
 */
public final class BatcherService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatcherService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final BatcherMetrics metrics;
    private final CompletableFuture<KafkaStreams.State> terminated = new CompletableFuture<>();

    private BatcherService(KafkaStreams streams, BatcherMetrics metrics) {
        this.streams = streams;
        this.metrics = metrics;
    }

    public static BatcherService start(BatcherConfig config) {
        return start(config, new SimpleMeterRegistry());
    }

    public static BatcherService start(BatcherConfig config, MeterRegistry registry) {
        log.info("batcher configuration:{}", config.describe());
        BatcherMetrics metrics = new BatcherMetrics(registry);
        Topology topology = BatcherTopology.build(config,
                ModelRegistry.loadConfigured(config.modelRegistryFile(), "batcher"), metrics);
        log.debug("batcher topology:\n{}", topology.describe());
        KafkaStreams streams = new KafkaStreams(topology, streamsProperties(config));
        // Bad input never throws (it goes to the DLQ), so an exception here is a bug or a broken
        // broker: stop this instance and let the process exit and be restarted. Exactly-once
        // means nothing is lost; replacing the thread would only loop on the same record.
        streams.setUncaughtExceptionHandler(e -> {
            log.error("batcher stream thread failed; shutting this instance down", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        BatcherService service = new BatcherService(streams, metrics);
        streams.setStateListener((next, previous) -> {
            if (next == KafkaStreams.State.ERROR || next == KafkaStreams.State.NOT_RUNNING) {
                service.terminated.complete(next);
            }
        });
        streams.start();
        return service;
    }

    /** Kafka Streams settings derived from the config; exactly_once_v2 always. */
    public static Properties streamsProperties(BatcherConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        // Tasks produced before the first start must be batched too.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Fewer, larger produce requests: lines are ~1 KiB and many go out per commit.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 10);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                (int) Math.max(1_048_576L, config.maxRecordBytes() + 65_536L));
        if (!config.instanceId().isEmpty()) {
            // Static membership: a restarted instance takes its partitions back at once instead of
            // waiting for the dead one's session to time out.
            props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.instanceId());
        }
        return props;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

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
    }
}
