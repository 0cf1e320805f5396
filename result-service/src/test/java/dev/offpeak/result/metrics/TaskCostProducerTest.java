package dev.offpeak.result.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskCompleted;
import dev.offpeak.schemas.events.TaskStatus;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The relay's producer records each task.completed it publishes, read from the event's own JSON, once
 * the broker acknowledged it; everything else passes through untouched.
 */
class TaskCostProducerTest {
    private static final String TOPIC = Topics.TASK_COMPLETED.name();

    private final ResultMetrics metrics = new ResultMetrics(new SimpleMeterRegistry());

    @Test
    void aPublishedTaskCompletedIsRecordedWithItsTenantModelFeatureAndCost() throws Exception {
        MockProducer<String, byte[]> mock = mock(true);
        TaskCostProducer producer = new TaskCostProducer(mock, metrics);
        ObjectNode body = Json.mapper().createObjectNode();
        body.putObject("choices").putArray("items").add("cost_usd").addObject().put("tenant", "mallory");
        AtomicInteger called = new AtomicInteger();

        producer.send(record(TOPIC, event("t-1", "acme", "gpt-4o-mini", "0.0042", Map.of("feature", "reviews", "x", "y"),
                body)), (md, e) -> called.incrementAndGet()).get();
        producer.send(record(TOPIC, event("t-2", "acme", "gpt-4o-mini", "0.0001", Map.of(), null))).get();

        TaskCostHistogram costs = metrics.taskCosts();
        assertThat(costs.count("acme", "gpt-4o-mini", "reviews")).isEqualTo(1);
        assertThat(costs.sum("acme", "gpt-4o-mini", "reviews")).isEqualTo(0.0042);
        assertThat(costs.count("acme", "gpt-4o-mini", ResultMetrics.NO_FEATURE)).isEqualTo(1);
        assertThat(costs.features("mallory")).as("fields of the response are not the event's").isEmpty();
        assertThat(called).as("the relay's own callback still runs").hasValue(1);
        assertThat(mock.history()).hasSize(2);
    }

    @Test
    void freeTasksOtherTopicsAndOtherEventsAreNotRecordedAndPassThrough() throws Exception {
        MockProducer<String, byte[]> mock = mock(true);
        TaskCostProducer producer = new TaskCostProducer(mock, metrics);
        producer.send(record(TOPIC, event("t-dup", "acme", "gpt-4o-mini", "0", Map.of("feature", "reviews"), null))).get();
        producer.send(record(Topics.JOB_COMPLETED.name(),
                event("t-3", "acme", "gpt-4o-mini", "0.5", Map.of("feature", "reviews"), null))).get();
        byte[] other = "{\"type\":\"budget.threshold\",\"tenant\":\"acme\",\"model\":\"m\",\"cost_usd\":\"3\"}"
                .getBytes(StandardCharsets.UTF_8);
        producer.send(record(TOPIC, other)).get();
        byte[] odd = ("{\"type\":\"task.completed\",\"tenant\":{\"tenant\":\"acme\"},\"model\":\"m\","
                + "\"cost_usd\":\"3\"}").getBytes(StandardCharsets.UTF_8);
        producer.send(record(TOPIC, odd)).get();
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
        producer.send(record(TOPIC, garbage)).get();
        producer.send(record(TOPIC, null)).get();

        assertThat(metrics.taskCosts().features("acme")).isEmpty();
        assertThat(mock.history()).hasSize(6);
        assertThat(mock.history().get(4).value()).isSameAs(garbage);
    }

    @Test
    void aSendTheBrokerRefusedIsNotRecorded() {
        MockProducer<String, byte[]> mock = mock(false);
        TaskCostProducer producer = new TaskCostProducer(mock, metrics);
        Future<RecordMetadata> refused = producer.send(record(TOPIC,
                event("t-1", "acme", "gpt-4o-mini", "0.3", Map.of("feature", "reviews"), null)));
        Future<RecordMetadata> acked = producer.send(record(TOPIC,
                event("t-2", "acme", "gpt-4o-mini", "0.3", Map.of("feature", "reviews"), null)));
        assertThat(metrics.taskCosts().features("acme")).as("nothing before the acknowledgement").isEmpty();

        mock.errorNext(new IllegalStateException("broker down"));
        mock.completeNext();
        assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class);
        assertThat(acked).isDone();
        assertThat(metrics.taskCosts().count("acme", "gpt-4o-mini", "reviews")).isEqualTo(1);
    }

    private static MockProducer<String, byte[]> mock(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new StringSerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<String, byte[]> record(String topic, byte[] value) {
        return new ProducerRecord<>(topic, "key", value);
    }

    /** A task.completed as the relay writes it (the contract's record, Offpeak's JSON). */
    private static byte[] event(String taskId, String tenant, String model, String cost, Map<String, String> metadata,
            ObjectNode response) {
        Instant at = Instant.parse("2026-12-07T10:00:00Z");
        TaskCompleted event = new TaskCompleted("tc-" + tenant + "-" + taskId, taskId, tenant, "job-1",
                TaskStatus.SUCCEEDED, "r-" + taskId, false, Provider.OPENAI, model, "/v1/chat/completions", "b-1",
                "batch_abc", 200, response, null, null, new Usage(10, 0, 0, 0, 5, 0), new BigDecimal(cost),
                new BigDecimal(cost).multiply(BigDecimal.TWO), new BigDecimal(cost), "openai/" + model + "/1", 1,
                metadata, at, at, at);
        return Json.write(event).getBytes(StandardCharsets.UTF_8);
    }
}
