package dev.offpeak.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.DedupScope;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.tenants.TenantPolicy;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.TaskValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one task body into bytes ready for {@code offpeak.tasks}, or a {@link Rejection} naming
 * every problem. The order is fixed: parse (400), fill what HTTP callers may omit, authorize
 * against the token's tenant (403), validate with the shared schema validator and price catalog
 * (422). Filling happens before validation so that a caller who omits {@code type},
 * {@code schema_version}, {@code tenant}, {@code submitted_at} or {@code dedup_scope} gets the
 * same record a Kafka producer would have written by hand (submitted_at: see {@link #fillDefaults}).
 * The published value is the caller's own bytes with the filled members spliced in front; its key
 * is the task's packing key ({@link TaskKeys}), computed here from the checked tree.
 */
public final class TaskIntake {
    private static final Logger log = LoggerFactory.getLogger(TaskIntake.class);
    /**
     * The shared mapper's settings, plus: "{...} trailing garbage" is malformed, not silently cut;
     * and a repeated key is malformed, because the original bytes are published and a downstream
     * parser that keeps the first of two "tenant" keys must never see another tenant than we checked.
     */
    private static final ObjectReader READER = Json.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .withFeatures(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final TaskValidator validator;
    private final InstantSource clock;
    private final TaskKeys keys;
    private final Timestamps timestamps = new Timestamps();

    /** Keys every task with one shard per model. */
    public TaskIntake(TaskValidator validator, InstantSource clock) {
        this(validator, clock, TaskKeys.unsharded());
    }

    public TaskIntake(TaskValidator validator, InstantSource clock, TaskKeys keys) {
        this.validator = validator;
        this.clock = clock;
        this.keys = keys;
    }

    /** Parses and checks {@code length} bytes of JSON starting at {@code offset}. */
    public IntakeResult prepare(byte[] body, int offset, int length, TenantPolicy tenant) {
        JsonNode tree;
        try {
            tree = READER.readTree(body, offset, length);
        } catch (JacksonException e) {
            return malformed(e.getOriginalMessage());
        } catch (IOException e) {
            return malformed(e.getMessage());
        }
        if (tree == null || tree.isMissingNode()) {
            return Rejection.of(ErrorCode.EMPTY_BODY, Problem.ROOT, "empty: expected a task.submitted JSON object");
        }
        return prepare(tree, tenant, new Original(body, offset, length));
    }

    /** Checks a task built in memory (e.g. from an OpenAI batch line). */
    public IntakeResult prepare(JsonNode tree, TenantPolicy tenant) {
        return prepare(tree, tenant, null);
    }

    /** The bytes a tree was parsed from: re-used as the record value instead of serializing again. */
    private record Original(byte[] bytes, int offset, int length) {}

    private IntakeResult prepare(JsonNode tree, TenantPolicy tenant, Original original) {
        if (!(tree instanceof ObjectNode task)) {
            return Rejection.of(ErrorCode.INVALID_TASK, Problem.ROOT,
                    "must be a JSON object (task.submitted), was " + tree.getNodeType().name().toLowerCase());
        }
        StringBuilder filled = fillDefaults(task, tenant);
        List<Problem> forbidden = forbidden(task, tenant);
        if (!forbidden.isEmpty()) {
            return new Rejection(ErrorCode.FORBIDDEN, summary("not allowed for tenant " + tenant.tenant(), forbidden),
                    forbidden);
        }
        List<Problem> problems = validate(task);
        if (!problems.isEmpty()) {
            return new Rejection(ErrorCode.INVALID_TASK, summary("invalid task", problems), problems);
        }
        if (!task.has("submitted_at")) {
            // Filled after validation when no deadline refers to it: a timestamp we format ourselves is
            // always valid, and re-parsing it in the validator cost a tenth of all ingest CPU.
            String now = now();
            task.put("submitted_at", now);
            member(filled, "submitted_at", now);
        }
        byte[] value = original == null ? Json.writeBytes(task) : splice(filled, original);
        return new IntakeResult.Ready(task.get("task_id").asText(), keys.of(task), value);
    }

    /**
     * The original object with the filled-in members put in front: {@code {<filled>, <original
     * members>}}. Serializing the whole tree again would cost as much as parsing it; the original is
     * known to be one valid, non-empty object (it passed validation), so only its opening brace and
     * any whitespace before it are replaced.
     */
    private static byte[] splice(StringBuilder filled, Original original) {
        byte[] front = filled.toString().getBytes(StandardCharsets.UTF_8);
        int brace = original.offset();
        while (original.bytes()[brace] != '{') {
            brace++;
        }
        int rest = original.offset() + original.length() - (brace + 1);
        byte[] value = new byte[1 + front.length + rest];
        value[0] = '{';
        System.arraycopy(front, 0, value, 1, front.length);
        System.arraycopy(original.bytes(), brace + 1, value, 1 + front.length, rest);
        return value;
    }

    /**
     * The shared validator throws on some hostile input (a number beyond double range such as
     * {@code 1e999999} meeting an enum check); such input is the caller's fault, never a 500.
     */
    private List<Problem> validate(ObjectNode task) {
        try {
            return validator.validate(task);
        } catch (NumberFormatException e) {
            return List.of(new Problem(Problem.ROOT, "holds a number out of range (beyond a double, e.g. 1e999999)"));
        } catch (RuntimeException e) {
            log.warn("validator failed on a task of tenant {}: {}", task.path("tenant").asText(), e.toString());
            return List.of(new Problem(Problem.ROOT, "cannot be validated (" + e.getClass().getSimpleName() + ")"));
        }
    }

    /**
     * Fills what HTTP callers may omit, on the tree, and returns the same members as JSON text
     * ({@code "name":"value",} each). Every value is ours and needs no escaping: constants, a tenant
     * name checked against {@code [a-z0-9_-]} when the token file was loaded, an ISO timestamp.
     * {@code submitted_at} is filled here only when {@code not_after} is present, so the shared
     * validator checks the deadline against it; otherwise after validation.
     */
    private StringBuilder fillDefaults(ObjectNode task, TenantPolicy tenant) {
        StringBuilder filled = new StringBuilder(160);
        if (!task.has("type")) {
            task.put("type", TaskSubmitted.TYPE);
            member(filled, "type", TaskSubmitted.TYPE);
        }
        if (!task.has("schema_version")) {
            task.put("schema_version", 1);
            filled.append("\"schema_version\":1,");
        }
        if (!task.has("tenant")) {
            task.put("tenant", tenant.tenant());
            member(filled, "tenant", tenant.tenant());
        }
        if (!task.has("submitted_at") && task.has("not_after")) {
            String now = now();
            task.put("submitted_at", now);
            member(filled, "submitted_at", now);
        }
        if (!task.has("dedup_scope")) {
            // The tenant's opt-in decides the scope; producers never need to know it.
            String scope = (tenant.globalDedup() ? DedupScope.GLOBAL : DedupScope.TENANT).id();
            task.put("dedup_scope", scope);
            member(filled, "dedup_scope", scope);
        }
        return filled;
    }

    private static void member(StringBuilder json, String name, String safeValue) {
        json.append('"').append(name).append("\":\"").append(safeValue).append("\",");
    }

    /** The clock's instant as RFC 3339 text (see {@link Timestamps}). */
    private String now() {
        return timestamps.format(clock.millis());
    }

    private static List<Problem> forbidden(ObjectNode task, TenantPolicy tenant) {
        List<Problem> problems = new ArrayList<>();
        JsonNode taskTenant = task.get("tenant");
        if (taskTenant.isTextual() && !taskTenant.asText().equals(tenant.tenant())) {
            problems.add(new Problem("tenant", "this token publishes for tenant " + tenant.tenant()
                    + " only, not " + taskTenant.asText()));
        }
        JsonNode scope = task.get("dedup_scope");
        if (scope.isTextual() && scope.asText().equals(DedupScope.GLOBAL.id()) && !tenant.globalDedup()) {
            problems.add(new Problem("dedup_scope", "global dedup shares answers across tenants; tenant "
                    + tenant.tenant() + " has not opted in (use tenant, or leave dedup_scope out)"));
        }
        JsonNode provider = task.get("provider");
        if (provider != null && provider.isTextual()) {
            Provider.find(provider.asText()).filter(p -> !tenant.allows(p)).ifPresent(p -> problems.add(
                    new Problem("provider", "tenant " + tenant.tenant() + " may not use provider " + p.id()
                            + " (allowed: " + tenant.providers().stream().map(Provider::id).sorted().toList() + ")")));
        }
        JsonNode model = task.get("model");
        if (model != null && model.isTextual() && !tenant.allowsModel(model.asText())) {
            problems.add(new Problem("model", "tenant " + tenant.tenant() + " may not use model " + model.asText()
                    + " (allowed: " + tenant.models().stream().sorted().toList() + ")"));
        }
        return problems;
    }

    private static Rejection malformed(String detail) {
        return Rejection.of(ErrorCode.MALFORMED_JSON, Problem.ROOT, "malformed JSON: " + detail);
    }

    static String summary(String what, List<Problem> problems) {
        Problem first = problems.getFirst();
        String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problem(s))" : "";
        return what + ": " + first.field() + ": " + first.message() + more;
    }
}
