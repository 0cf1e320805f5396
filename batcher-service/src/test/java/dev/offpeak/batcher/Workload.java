package dev.offpeak.batcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.identity.RequestIdentity;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.PackingKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A reproducible mix of tasks: several models of all three providers, a share of exact duplicates
 * (same tenant, same request, a new task id), and prompts padded to a target size.
 */
public final class Workload {
    public record Model(String provider, String model, String endpoint) {}

    public static final List<Model> MODELS = List.of(
            new Model("openai", "gpt-4o-mini", "/v1/chat/completions"),
            new Model("openai", "gpt-5-mini", "/v1/chat/completions"),
            new Model("openai", "text-embedding-3-small", "/v1/embeddings"),
            new Model("anthropic", "claude-haiku-4-5", "/v1/messages"),
            new Model("anthropic", "claude-sonnet-4-5", "/v1/messages"),
            new Model("gemini", "gemini-2.5-flash", "generateContent"),
            new Model("gemini", "gemini-2.5-flash-lite", "generateContent"));

    /** {@code packingKey}: the batcher's packing key with one shard per model, what a producer keys the task by. */
    public record Task(String taskId, byte[] json, String requestId, boolean duplicate, String packingKey) {}

    public final List<Task> tasks = new ArrayList<>();
    public final Set<String> uniqueRequestIds = new HashSet<>();
    public int duplicates;

    /** {@code count} tasks, {@code duplicateShare} of them repeating an earlier request; prompts ~{@code promptChars}. */
    public Workload(int count, double duplicateShare, int promptChars, long seed) {
        this(count, duplicateShare, promptChars, seed, MODELS);
    }

    public Workload(int count, double duplicateShare, int promptChars, long seed, List<Model> models) {
        this("", count, duplicateShare, promptChars, seed, models);
    }

    /** As above, with {@code prefix} in every task id and prompt, so two workloads share no task or request. */
    public Workload(String prefix, int count, double duplicateShare, int promptChars, long seed, List<Model> models) {
        Random random = new Random(seed);
        List<ObjectNode> originals = new ArrayList<>();
        String padding = "lorem ipsum dolor sit amet ".repeat(promptChars / 27 + 1).substring(0, promptChars);
        for (int i = 0; i < count; i++) {
            ObjectNode task;
            boolean duplicate = !originals.isEmpty() && random.nextDouble() < duplicateShare;
            if (duplicate) {
                task = originals.get(random.nextInt(originals.size())).deepCopy();
                duplicates++;
            } else {
                task = fresh(models.get(random.nextInt(models.size())), prefix + "prompt " + i + " " + padding);
                originals.add(task);
            }
            String taskId = prefix + "t-" + i;
            task.put("task_id", taskId);
            TaskSubmitted parsed = EventSerde.of(TaskSubmitted.class).convert(task);
            String requestId = RequestIdentity.requestId(parsed);
            uniqueRequestIds.add(requestId);
            tasks.add(new Task(taskId, Json.writeBytes(task), requestId, duplicate, PackingKey.of(parsed, 1).key()));
        }
    }

    private static ObjectNode fresh(Model m, String prompt) {
        ObjectNode t = Json.mapper().createObjectNode();
        t.put("type", "task.submitted");
        t.put("schema_version", 1);
        t.put("tenant", "acme");
        t.put("provider", m.provider());
        t.put("model", m.model());
        t.put("endpoint", m.endpoint());
        ObjectNode request = t.putObject("request");
        switch (m.endpoint()) {
            case "/v1/embeddings" -> request.put("input", prompt);
            case "generateContent" -> request.putArray("contents").addObject().put("role", "user")
                    .putArray("parts").addObject().put("text", prompt);
            default -> {
                request.putArray("messages").addObject().put("role", "user").put("content", prompt);
                request.put("max_tokens", 16);
            }
        }
        return t;
    }
}
