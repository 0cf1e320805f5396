package dev.offpeak.result.provider;

import static dev.offpeak.result.provider.OpenAiFormat.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.schemas.events.Usage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads Gemini's batch Operation and its response lines (gemini-batch.md §3-§5). */
final class GeminiFormat {
    /** Per-line google.rpc.Status codes worth resending as is: quota, internal, unavailable, deadline. */
    private static final Set<Integer> RETRYABLE_CODES = Set.of(429, 500, 503, 504);

    private GeminiFormat() {}

    static ProviderBatch batch(JsonNode op) {
        JsonNode meta = op.path("metadata");
        String status = meta.path("state").asText("");
        JsonNode stats = meta.path("batchStats");
        Map<String, String> raw = new LinkedHashMap<>();
        for (String c : List.of("successfulRequestCount", "failedRequestCount", "pendingRequestCount")) {
            raw.put(c, String.valueOf(UsageNormaliser.n(stats, c)));
        }
        String model = text(meta, "model");
        if (model != null) {
            raw.put("model", model);
        }
        JsonNode output = output(op);
        if (output.has("inlinedResponses")) {
            raw.put("inlined", "true");
        }
        List<ProviderBatch.BatchError> errors = List.of();
        JsonNode err = op.get("error");
        if (err != null && err.isObject()) {
            String code = text(err, "status") != null ? text(err, "status") : text(err, "code");
            // quota exhaustion is back-pressure like OpenAI's token_limit_exceeded: wait and resubmit
            boolean quota = "RESOURCE_EXHAUSTED".equals(code) || err.path("code").asInt() == 429;
            errors = List.of(new ProviderBatch.BatchError(quota ? "token_limit_exceeded" : code,
                    (quota ? code + ": " : "") + text(err, "message"), null));
        }
        String id = text(op, "name") != null ? text(op, "name") : text(meta, "name");
        return new ProviderBatch(id, state(status), status,
                PipelineTag.fromName(text(meta, "displayName")).orElse(null),
                AnthropicFormat.instant(text(meta, "createTime")), UsageNormaliser.n(stats, "requestCount"),
                text(output, "responsesFile"), null, null, errors, raw);
    }

    /** The output: top-level {@code response}, or {@code metadata.output} where only that is filled. */
    static JsonNode output(JsonNode op) {
        JsonNode top = op.path("response");
        JsonNode inMetadata = op.path("metadata").path("output");
        boolean topHasOutput = top.has("responsesFile") || top.has("inlinedResponses");
        return topHasOutput || !inMetadata.isObject() ? top : inMetadata;
    }

    /** {@code BATCH_STATE_*} on the wire; the SDKs' {@code JOB_STATE_*} spelling is accepted too. */
    static BatchState state(String status) {
        String s = status.replaceFirst("^(BATCH|JOB)_STATE_", "");
        return switch (s) {
            case "PENDING", "QUEUED" -> BatchState.VALIDATING;
            case "SUCCEEDED", "PARTIALLY_SUCCEEDED" -> BatchState.COMPLETED;
            case "FAILED" -> BatchState.FAILED;
            case "CANCELLING" -> BatchState.CANCELLING;
            case "CANCELLED" -> BatchState.CANCELLED;
            case "EXPIRED" -> BatchState.EXPIRED;
            default -> BatchState.IN_PROGRESS;
        };
    }

    /** A responses-file line {@code {"key", "response" | "error"}}. */
    static ResultLine fileLine(JsonNode line) {
        return line(text(line, "key"), line);
    }

    /** An inlined response {@code {"metadata": {"key"}, "response" | "error"}}. */
    static ResultLine inlineLine(JsonNode entry) {
        return line(text(entry.path("metadata"), "key"), entry);
    }

    private static ResultLine line(String key, JsonNode entry) {
        if (key == null) {
            throw new IllegalArgumentException("response without a key; every request is sent with one");
        }
        JsonNode response = entry.get("response");
        if (response != null && response.isObject()) {
            return new ResultLine(key, LineOutcome.SUCCEEDED, 200, (ObjectNode) response, null, null, false,
                    UsageNormaliser.gemini(response.path("usageMetadata")));
        }
        JsonNode err = entry.path("error");
        int code = err.path("code").asInt(0);
        String errorCode = text(err, "status") != null ? text(err, "status") : String.valueOf(code);
        return new ResultLine(key, LineOutcome.ERRORED, code == 0 ? null : code, null, errorCode,
                text(err, "message"), RETRYABLE_CODES.contains(code), Usage.ZERO);
    }
}
