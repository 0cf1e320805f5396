package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A TopologyTestDriver around the app's own topology, with task builders and typed topics. The
 * topology is built for {@code partitions} partitions of offpeak.tasks (4 unless told): the driver
 * reads every record from partition 0, so a task whose packing key hashes to 0 takes the fast path
 * and any other is moved through the repartition topic, and both routes run in every test.
 */
final class TopologyFixture implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-11-23T02:00:00Z");
    static final int PARTITIONS = 4;
    static final String REPARTITION_TOPIC = "offpeak-batcher-" + BatcherTopology.BY_PACKING_KEY + "-repartition";

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final BatcherConfig config;
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> tasks;
    final TestInputTopic<String, JobSealed> jobs;
    final TestOutputTopic<byte[], byte[]> dlq;
    final TestOutputTopic<String, TaskAccepted> accepted;
    final TestOutputTopic<String, BatchRecord> items;
    final TestOutputTopic<String, byte[]> moved;
    final int partitions;
    private int taskCounter;

    TopologyFixture(Map<String, String> env) {
        this(env, PARTITIONS);
    }

    TopologyFixture(Map<String, String> env, int partitions) {
        this.partitions = partitions;
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent(BatcherConfig.BOOTSTRAP, "unused:9092");
        all.putIfAbsent(BatcherConfig.STATE_DIR, Path.of("target", "ttd-state", UUID.randomUUID().toString()).toString());
        config = BatcherConfig.fromEnv(all);
        Properties props = BatcherService.streamsProperties(config);
        driver = new TopologyTestDriver(
                BatcherTopology.build(config, ModelRegistry.loadDefault(), new BatcherMetrics(registry), partitions), props, T0);
        tasks = driver.createInputTopic(Topics.TASKS.name(), new ByteArraySerializer(), new ByteArraySerializer(),
                T0, Duration.ZERO);
        jobs = driver.createInputTopic(Topics.JOBS.name(), Topics.JOBS.keySerde().serializer(),
                Topics.JOBS.valueSerde().serializer(), T0, Duration.ZERO);
        dlq = driver.createOutputTopic(Topics.TASKS_DLQ.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        accepted = driver.createOutputTopic(Topics.TASK_ACCEPTED.name(), Topics.TASK_ACCEPTED.keySerde().deserializer(),
                Topics.TASK_ACCEPTED.valueSerde().deserializer());
        items = driver.createOutputTopic(Topics.BATCH_ITEMS.name(), Topics.BATCH_ITEMS.keySerde().deserializer(),
                Topics.BATCH_ITEMS.valueSerde().deserializer());
        moved = driver.createOutputTopic(REPARTITION_TOPIC, new StringDeserializer(), new ByteArrayDeserializer());
    }

    TopologyFixture() {
        this(Map.of());
    }

    /** A valid OpenAI chat task with a fresh task id and the given prompt. */
    ObjectNode openai(String prompt) {
        return task("openai", "gpt-4o-mini", "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"max_tokens\":5}");
    }

    /** An OpenAI chat task whose system message is its cacheable prefix. */
    ObjectNode openai(String system, String prompt) {
        return task("openai", "gpt-4o-mini", "/v1/chat/completions", "{\"messages\":[{\"role\":\"system\",\"content\":\""
                + system + "\"},{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"max_tokens\":5}");
    }

    ObjectNode anthropic(String prompt) {
        return task("anthropic", "claude-haiku-4-5", "/v1/messages",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"max_tokens\":64}");
    }

    ObjectNode gemini(String prompt) {
        return task("gemini", "gemini-2.5-flash", "generateContent",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + prompt + "\"}]}]}");
    }

    ObjectNode task(String provider, String model, String endpoint, String requestJson) {
        try {
            ObjectNode t = Json.mapper().createObjectNode();
            t.put("type", "task.submitted");
            t.put("schema_version", 1);
            t.put("task_id", "t-" + (++taskCounter));
            t.put("tenant", "acme");
            t.put("provider", provider);
            t.put("model", model);
            t.put("endpoint", endpoint);
            t.set("request", Json.mapper().readTree(requestJson));
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(ObjectNode task) {
        send(task, T0);
    }

    void send(ObjectNode task, Instant at) {
        tasks.pipeInput(task.get("task_id").asText().getBytes(StandardCharsets.UTF_8), Json.writeBytes(task), at);
    }

    /** Sends {@code task} with the record key {@code key} (what a producer chose), at T0. */
    void sendKeyed(ObjectNode task, String key) {
        tasks.pipeInput(key.getBytes(StandardCharsets.UTF_8), Json.writeBytes(task), T0);
    }

    /** The packing key the batcher computes for {@code task} with this fixture's shard settings. */
    PackingKey packing(ObjectNode task) {
        TaskSubmitted parsed = EventSerde.of(TaskSubmitted.class).convert(task);
        return PackingKey.of(parsed, config.shardsFor(parsed.model()));
    }

    String packingKey(ObjectNode task) {
        return packing(task).key();
    }

    /** The packing partition of {@code task} among this fixture's partitions; 0 = the driver's fast path. */
    int partitionOf(ObjectNode task) {
        return PackingKey.partition(packingKey(task), partitions);
    }

    void seal(String jobId, Instant at) {
        jobs.pipeInput(jobId, new JobSealed(jobId, "acme", null, at), at);
    }

    /** Moves wall-clock time, which fires the age / seal punctuation. */
    void advance(Duration d) {
        driver.advanceWallClockTime(d);
    }

    List<BatchRecord> batchRecords() {
        return items.readRecordsToList().stream().map(TestRecord::value).toList();
    }

    static List<BatchItem> lines(List<BatchRecord> records) {
        return records.stream().filter(BatchItem.class::isInstance).map(BatchItem.class::cast).toList();
    }

    static List<BatchClosed> markers(List<BatchRecord> records) {
        return records.stream().filter(BatchClosed.class::isInstance).map(BatchClosed.class::cast).toList();
    }

    double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        driver.close();
    }
}
