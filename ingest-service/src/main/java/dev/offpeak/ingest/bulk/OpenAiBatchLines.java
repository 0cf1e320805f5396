package dev.offpeak.ingest.bulk;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.IntakeResult;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.ingest.TaskIntake;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.schemas.tenants.TenantPolicy;
import dev.offpeak.schemas.validation.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI Batch input file as is: each line {@code {custom_id, method, url, body}} becomes a
 * task of the job — custom_id → task_id, url → endpoint, body.model → model, body → request,
 * provider openai, and the upload's mode (if it names one) → mode. Problems are reported under the line's own field names ({@code custom_id},
 * {@code url}, {@code body.model}, ...), since those are what the uploader wrote.
 */
public final class OpenAiBatchLines implements LineDecoder {
    private final TaskIntake intake;
    private final String jobId;
    private final RequestedMode mode;

    /** @param mode the mode every task of the file asks for; null: none (the tenant's or lane's default) */
    public OpenAiBatchLines(TaskIntake intake, String jobId, RequestedMode mode) {
        this.intake = intake;
        this.jobId = jobId;
        this.mode = mode;
    }

    /** The {@code mode} query parameter: absent or blank is none; anything else must name a mode. */
    public static RequestedMode checkMode(String mode) {
        if (mode == null || mode.isBlank()) {
            return null;
        }
        try {
            return RequestedMode.of(mode);
        } catch (IllegalArgumentException e) {
            throw Rejection.of(ErrorCode.INVALID_TASK, "mode", "must be one of batch, flex, sync, auto, was '"
                    + (mode.length() > 32 ? mode.substring(0, 32) + "…" : mode) + "'").exception();
        }
    }

    @Override
    public IntakeResult decode(byte[] bytes, int offset, int length, TenantPolicy tenant) {
        JsonNode line;
        try {
            line = Json.mapper().readTree(bytes, offset, length);
        } catch (JacksonException e) {
            return Rejection.of(ErrorCode.MALFORMED_JSON, Problem.ROOT, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return Rejection.of(ErrorCode.MALFORMED_JSON, Problem.ROOT, "malformed JSON: " + e.getMessage());
        }
        if (!(line instanceof ObjectNode object)) {
            return Rejection.of(ErrorCode.INVALID_TASK, Problem.ROOT,
                    "must be a JSON object {custom_id, method, url, body}");
        }
        List<Problem> problems = lineProblems(object);
        if (!problems.isEmpty()) {
            return new Rejection(ErrorCode.INVALID_TASK, "invalid OpenAI batch line: " + problems.getFirst(), problems);
        }
        ObjectNode task = Json.mapper().createObjectNode();
        task.set("task_id", object.get("custom_id"));
        task.put("job_id", jobId);
        task.put("provider", Provider.OPENAI.id());
        task.set("model", object.get("body").get("model"));
        task.set("endpoint", object.get("url"));
        task.set("request", object.get("body"));
        if (mode != null) {
            task.put("mode", mode.id());
        }
        return switch (intake.prepare(task, tenant)) {
            case Rejection rejection -> rejection.renameFields(OpenAiBatchLines::lineField);
            case IntakeResult.Ready ready -> ready;
        };
    }

    /** What the line itself must have before it can become a task; the task validator does the rest. */
    private static List<Problem> lineProblems(ObjectNode line) {
        List<Problem> problems = new ArrayList<>();
        requireText(line, "custom_id", problems);
        requireText(line, "url", problems);
        JsonNode method = line.get("method");
        if (method != null && !"POST".equals(method.asText())) {
            problems.add(new Problem("method", "must be POST, was " + method));
        }
        JsonNode body = line.get("body");
        if (body == null || !body.isObject()) {
            problems.add(new Problem("body", body == null ? "required" : "must be an object"));
        } else if (!body.path("model").isTextual()) {
            problems.add(new Problem("body.model", body.has("model") ? "must be a string" : "required"));
        }
        return problems;
    }

    private static void requireText(ObjectNode line, String field, List<Problem> problems) {
        JsonNode value = line.get(field);
        if (value == null) {
            problems.add(new Problem(field, "required"));
        } else if (!value.isTextual()) {
            problems.add(new Problem(field, "must be a string"));
        }
    }

    /** task field → the OpenAI batch line field it came from. */
    static String lineField(String taskField) {
        return switch (taskField) {
            case "task_id" -> "custom_id";
            case "endpoint" -> "url";
            case "model" -> "body.model";
            case "request" -> "body";
            default -> taskField.startsWith("request.") ? "body." + taskField.substring("request.".length())
                    : taskField.startsWith("request[") ? "body" + taskField.substring("request".length()) : taskField;
        };
    }
}
