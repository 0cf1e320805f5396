package dev.offpeak.result.metrics;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.offpeak.schemas.events.TaskCompleted;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.topics.Topics;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox relay's producer, observed: every {@code task.completed} the relay publishes to
 * {@code offpeak.task-completed} is read back from the very bytes it sends (tenant, model,
 * {@code metadata.feature}, {@code cost_usd}) and, once the broker acknowledged it, recorded in the
 * per-task cost distribution ({@link ResultMetrics#taskCost}; tasks that cost nothing are skipped
 * there). Every other record passes through untouched, and nothing about the metric can fail a send:
 * an event that does not read is logged once and not recorded.
 *
 * <p>Wrapping the producer instead of hooking the relay keeps the metric off the money path's code: the
 * relay composes the event exactly once and this only reads what it published. Publication is at least
 * once, so a round that fails after some sends were acknowledged (and is retried) records those tasks
 * again: rare, and harmless for a P95.
 */
public final class TaskCostProducer implements Producer<String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(TaskCostProducer.class);

    private final Producer<String, byte[]> delegate;
    private final ResultMetrics metrics;
    private final String topic;
    private final AtomicBoolean warned = new AtomicBoolean();

    public TaskCostProducer(Producer<String, byte[]> delegate, ResultMetrics metrics) {
        this(delegate, metrics, Topics.TASK_COMPLETED.name());
    }

    /** @param topic where the relay publishes task.completed (tests use their own topic names) */
    public TaskCostProducer(Producer<String, byte[]> delegate, ResultMetrics metrics, String topic) {
        this.delegate = delegate;
        this.metrics = metrics;
        this.topic = topic;
    }

    /** What the distribution needs of one task.completed. */
    record TaskCost(String tenant, String model, String feature, BigDecimal costUsd) {}

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        TaskCost cost = topic.equals(record.topic()) ? read(record.value()) : null;
        if (cost == null) {
            return delegate.send(record, callback);
        }
        return delegate.send(record, (metadata, exception) -> {
            if (exception == null) {
                metrics.taskCost(cost.tenant(), cost.model(), cost.feature(), cost.costUsd());
            }
            if (callback != null) {
                callback.onCompletion(metadata, exception);
            }
        });
    }

    /** The cost of a task.completed event's JSON, or null when it is another event or does not read. */
    TaskCost read(byte[] json) {
        if (json == null) {
            return null;
        }
        try {
            return parse(json);
        } catch (IOException | RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                log.warn("a task.completed event could not be read for the task cost metric (not recorded; "
                        + "logged once): {}", e.toString());
            }
            return null;
        }
    }

    /** Reads the four fields with a streaming parser, skipping the rest (the inlined response above all). */
    private static TaskCost parse(byte[] json) throws IOException {
        String type = null;
        String tenant = null;
        String model = null;
        String feature = null;
        BigDecimal cost = null;
        try (JsonParser p = Json.mapper().getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> type = text(p, value);
                    case "tenant" -> tenant = text(p, value);
                    case "model" -> model = text(p, value);
                    case "cost_usd" -> cost = value.isNumeric() ? p.getDecimalValue()
                            : value == JsonToken.VALUE_STRING ? new BigDecimal(p.getText()) : skip(p);
                    case "metadata" -> feature = feature(p, value);
                    default -> p.skipChildren();
                }
            }
        }
        if (!TaskCompleted.TYPE.equals(type) || tenant == null || model == null || cost == null) {
            return null;
        }
        return new TaskCost(tenant, model, feature, cost);
    }

    /** The value's text when it is a string, else null (an object or array skipped). */
    private static String text(JsonParser p, JsonToken value) throws IOException {
        return value == JsonToken.VALUE_STRING ? p.getText() : skip(p);
    }

    private static <T> T skip(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    /** metadata.feature, when metadata is an object holding it as a string. */
    private static String feature(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            return skip(p);
        }
        String feature = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (key.equals("feature") && v == JsonToken.VALUE_STRING) {
                feature = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return feature;
    }

    // ------------------------------------------------------------------ the rest is the delegate's

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
        delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata groupMetadata) {
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void commitTransaction() {
        delegate.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        delegate.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void close(Duration timeout) {
        delegate.close(timeout);
    }
}
