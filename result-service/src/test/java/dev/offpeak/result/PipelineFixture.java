package dev.offpeak.result;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.store.IntakeStore;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.CloseReason;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.identity.RequestIdentity;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.CacheablePrefix;
import dev.offpeak.schemas.validation.TokenEstimator;
import dev.offpeak.testsupport.KafkaCluster;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Plays the batcher for result-service tests: builds tasks, their provider-format lines and the
 * batch marker exactly as the batcher publishes them, and produces them to the real topics.
 */
final class PipelineFixture {
    private static final TokenEstimator TOKENS = new TokenEstimator();
    record Lane(Provider provider, String endpoint, String model) {
        String id() {
            return provider.id() + "|" + endpoint + "|" + model + "|0";
        }
    }

    static final Lane OPENAI = new Lane(Provider.OPENAI, "/v1/chat/completions", "gpt-4o-mini");
    static final Lane ANTHROPIC = new Lane(Provider.ANTHROPIC, "/v1/messages", "claude-haiku-4-5");
    static final Lane GEMINI = new Lane(Provider.GEMINI, "generateContent", "gemini-2.5-flash");

    record Task(TaskSubmitted submitted, String requestId) {}

    /** A batch of {@code n} unique requests on {@code lane}, plus {@code duplicates} duplicate tasks of the first. */
    record Batch(String batchId, Lane lane, List<Task> originals, List<TaskAccepted> accepted, List<BatchRecord> records) {}

    static Task task(Lane lane, String tenant, String taskId, String prompt) {
        ObjectNode request = Json.mapper().createObjectNode();
        switch (lane.provider()) {
            case OPENAI -> {
                request.putArray("messages").addObject().put("role", "user").put("content", prompt);
                request.put("max_tokens", 16);
            }
            case ANTHROPIC -> {
                request.putArray("messages").addObject().put("role", "user").put("content", prompt);
                request.put("max_tokens", 16);
            }
            case GEMINI -> {
                ObjectNode content = request.putArray("contents").addObject();
                content.put("role", "user");
                content.putArray("parts").addObject().put("text", prompt);
                request.putObject("generationConfig").put("maxOutputTokens", 16);
            }
        }
        return task(lane, tenant, taskId, request);
    }

    /** A task on {@code lane} with a request of the caller's making. */
    static Task task(Lane lane, String tenant, String taskId, ObjectNode request) {
        TaskSubmitted t = new TaskSubmitted(taskId, tenant, "job-1", lane.provider(), lane.model(), lane.endpoint(),
                request, Map.of(), null, null, null, Instant.parse("2026-01-01T00:00:00Z"), null);
        return new Task(t, RequestIdentity.requestId(t));
    }

    static String line(Task task) {
        TaskSubmitted t = task.submitted();
        ObjectNode body = t.request().deepCopy();
        ObjectNode line = Json.mapper().createObjectNode();
        switch (t.provider()) {
            case OPENAI -> {
                body.put("model", t.model());
                line.put("custom_id", task.requestId()).put("method", "POST").put("url", t.endpoint());
                line.set("body", body);
            }
            case ANTHROPIC -> {
                body.put("model", t.model());
                line.put("custom_id", task.requestId());
                line.set("params", body);
            }
            case GEMINI -> {
                line.put("key", task.requestId());
                line.set("request", body);
            }
        }
        return Json.write(line);
    }

    static Batch batch(String batchId, Lane lane, int n, int duplicates, Instant now) {
        List<Task> originals = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            originals.add(task(lane, "acme", batchId + "-t" + i, "review " + batchId + " number " + i + " is fine"));
        }
        return batch(batchId, lane, originals, duplicates, now);
    }

    /** A batch of the given unique tasks on {@code lane}, plus {@code duplicates} duplicate tasks of the first. */
    static Batch batch(String batchId, Lane lane, List<Task> originals, int duplicates, Instant now) {
        List<TaskAccepted> accepted = new ArrayList<>();
        List<BatchRecord> records = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < originals.size(); i++) {
            Task t = originals.get(i);
            accepted.add(accepted(t, false, null, now));
            String line = line(t);
            long lineBytes = line.getBytes(StandardCharsets.UTF_8).length + 1;
            bytes += lineBytes;
            ids.add(t.requestId());
            CacheablePrefix prefix = CacheablePrefix.of(lane.provider(), lane.endpoint(), t.submitted().request());
            records.add(new BatchItem(batchId, lane.id(), lane.provider(), lane.endpoint(), lane.model(), i,
                    t.requestId(), t.submitted().taskId(), t.submitted().tenant(), "job-1", line, lineBytes, 20, 1,
                    prefix.fingerprint(), prefix.isNone() ? 0 : TOKENS.estimate(lane.provider(), lane.model(), prefix.parts()),
                    t.submitted().mode()));
        }
        for (int d = 0; d < duplicates; d++) {
            Task first = originals.get(0);
            TaskSubmitted dup = new TaskSubmitted(batchId + "-dup" + d, "acme", "job-1", lane.provider(), lane.model(),
                    lane.endpoint(), first.submitted().request(), Map.of(), null, null, null, now, null);
            accepted.add(accepted(new Task(dup, first.requestId()), true, first.submitted().taskId(), now));
        }
        int n = originals.size();
        records.add(new BatchClosed(batchId, lane.id(), lane.provider(), lane.endpoint(), lane.model(), n, bytes,
                20L * n, IntakeStore.checksumOf(ids), CloseReason.AGE, now, now, List.of("job-1")));
        return new Batch(batchId, lane, originals, accepted, records);
    }

    static TaskAccepted accepted(Task t, boolean duplicate, String originalTaskId, Instant now) {
        TaskSubmitted s = t.submitted();
        return new TaskAccepted(s.taskId(), s.tenant(), s.jobId(), t.requestId(), s.provider(), s.model(),
                s.endpoint(), new Lane(s.provider(), s.endpoint(), s.model()).id(), duplicate, originalTaskId, 20,
                new BigDecimal("0.00001"), Map.of(), s.notAfter(), s.submittedAt(), now);
    }

    /** {@code task} with a deadline. */
    static Task withDeadline(Task task, Instant notAfter) {
        TaskSubmitted s = task.submitted();
        return new Task(new TaskSubmitted(s.taskId(), s.tenant(), s.jobId(), s.provider(), s.model(), s.endpoint(),
                s.request(), s.metadata(), s.dedup(), s.dedupScope(), notAfter, s.submittedAt(), s.mode()),
                task.requestId());
    }

    /** {@code task} asking for {@code mode} (the same request: the mode is not part of its identity). */
    static Task withMode(Task task, dev.offpeak.schemas.pricing.RequestedMode mode) {
        TaskSubmitted s = task.submitted();
        return new Task(new TaskSubmitted(s.taskId(), s.tenant(), s.jobId(), s.provider(), s.model(), s.endpoint(),
                s.request(), s.metadata(), s.dedup(), s.dedupScope(), s.notAfter(), s.submittedAt(), mode),
                task.requestId());
    }

    /** Another task with the same request as {@code original}, accepted as its duplicate. */
    static TaskAccepted duplicateOf(Task original, String taskId, Instant now) {
        TaskSubmitted s = original.submitted();
        return new TaskAccepted(taskId, s.tenant(), s.jobId(), original.requestId(), s.provider(), s.model(),
                s.endpoint(), new Lane(s.provider(), s.endpoint(), s.model()).id(), true, s.taskId(), 20,
                new BigDecimal("0.00001"), Map.of(), null, null, now);
    }

    static void publish(KafkaCluster kafka, String acceptedTopic, String itemsTopic, Batch batch) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producerProperties(),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (TaskAccepted a : batch.accepted()) {
                producer.send(new ProducerRecord<>(acceptedTopic, a.taskId(), Json.writeBytes(a)));
            }
            for (BatchRecord r : batch.records()) {
                producer.send(new ProducerRecord<>(itemsTopic, r.batchId(), Json.writeBytes(r)));
            }
            producer.flush();
        }
    }

    private PipelineFixture() {}
}
