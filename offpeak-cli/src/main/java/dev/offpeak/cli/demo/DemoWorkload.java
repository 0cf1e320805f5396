package dev.offpeak.cli.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The demo's tasks: a few tenants, each running a nightly job over several features, on every
 * provider and several priced models. Features share long system prompts (so providers' prompt
 * caches have something to hit) and a configurable share of tasks repeats an earlier request of
 * the same tenant exactly (what dedup removes). Same seed, same tasks.
 */
public final class DemoWorkload {
    public static final List<String> TENANTS = List.of("acme", "globex", "initech");

    /** One thing the tenants use LLMs for, on one provider and model. */
    record Feature(String name, String provider, String model, String endpoint, int weight, int systemWords) {}

    static final List<Feature> FEATURES = List.of(
            new Feature("review-triage", "openai", "gpt-4o-mini", "/v1/chat/completions", 26, 1100),
            new Feature("ticket-summary", "openai", "gpt-4.1-mini", "/v1/chat/completions", 10, 1100),
            new Feature("catalog-embed", "openai", "text-embedding-3-small", "/v1/embeddings", 12, 0),
            new Feature("contract-review", "anthropic", "claude-haiku-4-5", "/v1/messages", 16, 1100),
            new Feature("incident-postmortem", "anthropic", "claude-sonnet-4-5", "/v1/messages", 6, 60),
            new Feature("listing-rewrite", "gemini", "gemini-2.5-flash", "generateContent", 20, 60),
            new Feature("support-translate", "gemini", "gemini-2.5-flash-lite", "generateContent", 10, 60));

    /** The tasks of one tenant's nightly job, as NDJSON lines for ingest's bulk endpoint. */
    public record TenantJob(String tenant, String jobId, List<String> lines) {}

    private static final String[] WORDS = ("the order arrived late but the support team resolved it quickly and kindly "
            + "product quality exceeded expectations although packaging was damaged during shipping invoice refund "
            + "customer reports intermittent login failure after password reset on mobile application version "
            + "contract clause liability indemnity termination notice period renewal governing law jurisdiction "
            + "listing describes a bright two bedroom apartment near the river with balcony and parking space").split(" ");

    private final int size;
    private final double duplicateRate;
    private final long seed;
    private final String runId;

    public DemoWorkload(int size, double duplicateRate, long seed, String runId) {
        this.size = size;
        this.duplicateRate = duplicateRate;
        this.seed = seed;
        this.runId = runId;
    }

    /** Every tenant's job; tasks are spread over tenants 50/30/20. */
    public List<TenantJob> jobs() {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, String> systemPrompts = systemPrompts(new SplittableRandom(seed ^ 0x5eed));
        int[] shares = {size / 2, size * 3 / 10, size - size / 2 - size * 3 / 10};
        List<TenantJob> jobs = new ArrayList<>();
        for (int t = 0; t < TENANTS.size(); t++) {
            String tenant = TENANTS.get(t);
            String jobId = "nightly-" + runId;
            List<String> lines = new ArrayList<>(shares[t]);
            List<ObjectNode> earlier = new ArrayList<>();
            for (int i = 0; i < shares[t]; i++) {
                ObjectNode task;
                if (!earlier.isEmpty() && random.nextDouble() < duplicateRate) {
                    // the same request again: a retry, a re-run, two features asking the same thing
                    task = earlier.get(random.nextInt(earlier.size())).deepCopy();
                } else {
                    task = newTask(pick(random), random, systemPrompts);
                    earlier.add(task);
                }
                task.put("task_id", tenant + "-" + runId + "-" + i);
                task.put("job_id", jobId);
                lines.add(Json.write(task));
            }
            jobs.add(new TenantJob(tenant, jobId, lines));
        }
        return jobs;
    }

    private static Feature pick(SplittableRandom random) {
        int total = FEATURES.stream().mapToInt(Feature::weight).sum();
        int r = random.nextInt(total);
        for (Feature f : FEATURES) {
            r -= f.weight();
            if (r < 0) {
                return f;
            }
        }
        throw new IllegalStateException("weights");
    }

    private ObjectNode newTask(Feature f, SplittableRandom random, Map<String, String> systemPrompts) {
        ObjectNode task = Json.mapper().createObjectNode();
        task.put("provider", f.provider()).put("model", f.model()).put("endpoint", f.endpoint());
        task.putObject("metadata").put("feature", f.name()).put("user", "u" + random.nextInt(500));
        String input = "Item " + random.nextLong(1_000_000_000L) + ": " + words(random, 20 + random.nextInt(60));
        String system = systemPrompts.get(f.name());
        ObjectNode request = task.putObject("request");
        switch (f.endpoint()) {
            case "/v1/embeddings" -> request.put("model", f.model()).put("input", input);
            case "/v1/chat/completions" -> {
                request.put("model", f.model()).put("max_tokens", 200);
                var messages = request.putArray("messages");
                messages.addObject().put("role", "system").put("content", system);
                messages.addObject().put("role", "user").put("content", input);
            }
            case "/v1/messages" -> {
                request.put("model", f.model()).put("max_tokens", 300);
                var block = request.putArray("system").addObject().put("type", "text").put("text", system);
                block.putObject("cache_control").put("type", "ephemeral");
                request.putArray("messages").addObject().put("role", "user").put("content", input);
            }
            default -> {
                request.putObject("systemInstruction").putArray("parts").addObject().put("text", system);
                var content = request.putArray("contents").addObject().put("role", "user");
                content.putArray("parts").addObject().put("text", input);
            }
        }
        return task;
    }

    private static Map<String, String> systemPrompts(SplittableRandom random) {
        Map<String, String> prompts = new LinkedHashMap<>();
        for (Feature f : FEATURES) {
            prompts.put(f.name(), "You are the " + f.name() + " assistant. Follow the policy below exactly. "
                    + words(random, Math.max(f.systemWords(), 1)));
        }
        return prompts;
    }

    private static String words(SplittableRandom random, int count) {
        StringBuilder b = new StringBuilder(count * 8);
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }
}
