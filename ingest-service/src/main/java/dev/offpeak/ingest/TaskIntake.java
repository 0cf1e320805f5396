package dev.offpeak.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.ingest.auth.TenantPolicy;
import dev.offpeak.schemas.events.DedupScope;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.TaskValidator;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one task body into bytes ready for {@code offpeak.tasks}, or a {@link Rejection} naming
 * every problem. The order is fixed: parse (400), fill what HTTP callers may omit, authorize
 * against the token's tenant (403), validate with the shared schema validator and price catalog
 * (422). Filling happens before validation so that a caller who omits {@code type},
 * {@code schema_version}, {@code tenant}, {@code submitted_at} or {@code dedup_scope} gets the
 * same record a Kafka producer would have written by hand.
 */
public final class TaskIntake {
    /** The shared mapper's settings, plus: "{...} trailing garbage" is malformed, not silently cut. */
    private static final ObjectReader READER =
            Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final TaskValidator validator;
    private final InstantSource clock;

    public TaskIntake(TaskValidator validator, InstantSource clock) {
        this.validator = validator;
        this.clock = clock;
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
        return prepare(tree, tenant);
    }

    public IntakeResult prepare(JsonNode tree, TenantPolicy tenant) {
        if (!(tree instanceof ObjectNode task)) {
            return Rejection.of(ErrorCode.INVALID_TASK, Problem.ROOT,
                    "must be a JSON object (task.submitted), was " + tree.getNodeType().name().toLowerCase());
        }
        fillDefaults(task, tenant);
        List<Problem> forbidden = forbidden(task, tenant);
        if (!forbidden.isEmpty()) {
            return new Rejection(ErrorCode.FORBIDDEN, summary("not allowed for tenant " + tenant.tenant(), forbidden),
                    forbidden);
        }
        List<Problem> problems = validator.validate(task);
        if (!problems.isEmpty()) {
            return new Rejection(ErrorCode.INVALID_TASK, summary("invalid task", problems), problems);
        }
        return new IntakeResult.Ready(task.get("task_id").asText(), Json.writeBytes(task));
    }

    private void fillDefaults(ObjectNode task, TenantPolicy tenant) {
        if (!task.has("type")) {
            task.put("type", TaskSubmitted.TYPE);
        }
        if (!task.has("schema_version")) {
            task.put("schema_version", 1);
        }
        if (!task.has("tenant")) {
            task.put("tenant", tenant.tenant());
        }
        if (!task.has("submitted_at")) {
            task.put("submitted_at", clock.instant().toString());
        }
        if (!task.has("dedup_scope")) {
            // The tenant's opt-in decides the scope; producers never need to know it.
            task.put("dedup_scope", (tenant.globalDedup() ? DedupScope.GLOBAL : DedupScope.TENANT).id());
        }
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
