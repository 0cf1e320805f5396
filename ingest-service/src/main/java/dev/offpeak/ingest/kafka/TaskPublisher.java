package dev.offpeak.ingest.kafka;

import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.ingest.config.IngestConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one Kafka producer of the service: acks=all and idempotence, so a completed send means the
 * record is on every in-sync replica and a retry inside the producer never duplicates it. Values
 * are the already-validated JSON bytes; keys are the packing key (tasks, see
 * {@link dev.offpeak.ingest.TaskKeys}) or job_id (jobs). A record names no partition and the producer
 * keeps Kafka's default partitioner, so a task lands on the partition its key hashes to, which is the
 * one the batcher packs it in.
 */
public final class TaskPublisher implements AutoCloseable {
    /** Room for the key and record overhead on top of the largest accepted body. */
    private static final int RECORD_OVERHEAD_BYTES = 64 * 1024;

    private final KafkaProducer<String, byte[]> producer;
    private final Duration closeTimeout;

    public TaskPublisher(IngestConfig config) {
        this.producer = new KafkaProducer<>(producerProperties(config), new StringSerializer(),
                new ByteArraySerializer());
        this.closeTimeout = config.sendTimeout();
    }

    /** Receives how long each send took and whether the broker acknowledged it. */
    @FunctionalInterface
    public interface SendTimer {
        void record(long nanos, boolean acknowledged);
    }

    public static Map<String, Object> producerProperties(IngestConfig config) {
        // The operator's pass-through first: everything set below is refused there (IngestConfig's owned
        // settings), except client.id and batch.size, which the operator may change.
        Map<String, Object> props = new HashMap<>();
        config.kafkaSettings().applyTo(props);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, props.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "offpeak-ingest"));
        long lingerMs = config.linger().toMillis();
        long deliveryMs = config.sendTimeout().toMillis();
        props.put(ProducerConfig.LINGER_MS_CONFIG, (int) lingerMs);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryMs);
        // Kafka requires delivery.timeout >= linger + request.timeout.
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(30_000, deliveryMs - lingerMs));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.maxBlock().toMillis());
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, config.bufferBytes());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxTaskBytes() + RECORD_OVERHEAD_BYTES);
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return props;
    }

    /** Receives the outcome of one send: the broker's metadata, or else the rejection to report. */
    @FunctionalInterface
    public interface Outcome {
        /**
         * Exactly one of the two is null. Runs on the producer's I/O thread (or on the caller's, when
         * the send failed at once), so it must be short and must not block.
         */
        void completed(RecordMetadata metadata, Rejection rejection);
    }

    /**
     * Sends one record and hands its outcome to {@code outcome} once the broker acknowledged it or
     * the send failed. Never throws: a full buffer or missing metadata (after max.block) is an
     * outcome like any other send error. The bulk path uses this form directly, without a future
     * per record.
     */
    public void send(String topic, String key, byte[] value, SendTimer timer, Outcome outcome) {
        long started = System.nanoTime();
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                timer.record(System.nanoTime() - started, error == null);
                if (error == null) {
                    outcome.completed(metadata, null);
                } else {
                    outcome.completed(null, classify(error));
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            timer.record(System.nanoTime() - started, false);
            outcome.completed(null, classify(e));
        }
    }

    /**
     * Sends one record; the future completes when the broker acknowledged it, or fails with a
     * {@link SendFailedException} carrying the rejection to report.
     */
    public CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value, SendTimer timer) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        send(topic, key, value, timer, (metadata, rejection) -> {
            if (rejection == null) {
                result.complete(metadata);
            } else {
                result.completeExceptionally(new SendFailedException(rejection));
            }
        });
        return result;
    }

    /** Too large is the caller's fault (413); everything else means Kafka did not take it now (503). */
    static Rejection classify(Throwable error) {
        if (error instanceof RecordTooLargeException) {
            return Rejection.of(ErrorCode.TOO_LARGE, "record too large for Kafka: " + error.getMessage());
        }
        return Rejection.of(ErrorCode.KAFKA_UNAVAILABLE, "Kafka did not acknowledge the record ("
                + error.getClass().getSimpleName() + ": " + error.getMessage() + "); not accepted, resend later"
                + " (the task_id makes a resend safe)");
    }

    @Override
    public void close() {
        producer.close(closeTimeout);
    }
}
