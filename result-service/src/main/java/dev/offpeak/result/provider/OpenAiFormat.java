package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.schemas.events.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads OpenAI's Batch object and output / error file lines (openai-batch.md §3.5, §5). */
final class OpenAiFormat {
    private OpenAiFormat() {}

    static ProviderBatch batch(JsonNode b) {
        String status = b.path("status").asText("");
        List<ProviderBatch.BatchError> errors = new ArrayList<>();
        for (JsonNode e : b.path("errors").path("data")) {
            errors.add(new ProviderBatch.BatchError(text(e, "code"), text(e, "message"),
                    e.path("line").isIntegralNumber() ? e.get("line").asInt() : null));
        }
        Map<String, String> raw = new LinkedHashMap<>();
        put(raw, "endpoint", text(b, "endpoint"));
        put(raw, "model", text(b, "model"));
        put(raw, "input_file_id", text(b, "input_file_id"));
        JsonNode counts = b.path("request_counts");
        raw.put("completed", String.valueOf(counts.path("completed").asLong(0)));
        raw.put("failed", String.valueOf(counts.path("failed").asLong(0)));
        return new ProviderBatch(text(b, "id"), state(status), status,
                text(b.path("metadata"), PipelineTag.METADATA_KEY),
                b.path("created_at").isNumber() ? Instant.ofEpochSecond(b.get("created_at").asLong()) : null,
                counts.path("total").asLong(0), text(b, "output_file_id"), text(b, "error_file_id"), null, errors, raw);
    }

    /** Unknown statuses stay non-terminal: polling on is safe, settling a running batch is not. */
    static BatchState state(String status) {
        return switch (status) {
            case "validating" -> BatchState.VALIDATING;
            case "in_progress" -> BatchState.IN_PROGRESS;
            case "finalizing" -> BatchState.FINALIZING;
            case "cancelling" -> BatchState.CANCELLING;
            case "completed" -> BatchState.COMPLETED;
            case "failed" -> BatchState.FAILED;
            case "expired" -> BatchState.EXPIRED;
            case "cancelled" -> BatchState.CANCELLED;
            default -> BatchState.IN_PROGRESS;
        };
    }

    /** One output- or error-file line ({@code BatchRequestOutput}). */
    static ResultLine line(JsonNode line) {
        String customId = text(line, "custom_id");
        if (customId == null) {
            throw new IllegalArgumentException("result line without custom_id");
        }
        JsonNode response = line.get("response");
        if (response != null && response.isObject()) {
            int status = response.path("status_code").asInt(0);
            JsonNode body = response.path("body");
            if (status / 100 == 2) {
                return new ResultLine(customId, LineOutcome.SUCCEEDED, status,
                        body.isObject() ? (ObjectNode) body : null, null, null, false,
                        UsageNormaliser.openAi(body.path("usage")));
            }
            JsonNode err = body.path("error");
            String code = text(err, "code") != null ? text(err, "code") : text(err, "type");
            return new ResultLine(customId, LineOutcome.ERRORED, status, null, code, text(err, "message"),
                    HttpCalls.retryable(status), Usage.ZERO);
        }
        JsonNode err = line.path("error");
        String code = text(err, "code");
        String message = text(err, "message");
        // batch_expired / batch_cancelled / request_timeout: the request never ran; as-is resend may succeed
        return switch (code == null ? "" : code) {
            case "batch_expired" -> new ResultLine(customId, LineOutcome.EXPIRED, null, null, code, message, true,
                    Usage.ZERO);
            case "batch_cancelled" -> new ResultLine(customId, LineOutcome.CANCELLED, null, null, code, message, true,
                    Usage.ZERO);
            case "request_timeout" -> new ResultLine(customId, LineOutcome.ERRORED, null, null, code, message, true,
                    Usage.ZERO);
            default -> new ResultLine(customId, LineOutcome.ERRORED, null, null, code, message, false, Usage.ZERO);
        };
    }

    static String text(JsonNode parent, String field) {
        JsonNode v = parent == null ? null : parent.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    private static void put(Map<String, String> raw, String k, String v) {
        if (v != null) {
            raw.put(k, v);
        }
    }
}
