package dev.offpeak.result.provider;

import static dev.offpeak.result.provider.OpenAiFormat.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.schemas.events.Usage;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads Anthropic's MessageBatch object and results lines (anthropic-message-batches.md §3.1, §5). */
final class AnthropicFormat {
    private static final List<String> COUNTS = List.of("processing", "succeeded", "errored", "canceled", "expired");
    /**
     * Inner error types of an errored line that the same request cannot get past by being sent
     * again: a body to fix (invalid_request_error, request_too_large) or an account to fix
     * (authentication, permission, billing, a model not found). The provider's guide names only
     * invalid_request_error; the rest follow its HTTP error table. Every other type (api_error,
     * overloaded_error, rate_limit_error, timeout_error, and types not known yet) is retried, as
     * the guide says for "anything else".
     */
    private static final Set<String> PERMANENT_ERRORS = Set.of("invalid_request_error", "request_too_large",
            "authentication_error", "permission_error", "billing_error", "not_found_error");

    private AnthropicFormat() {}

    static ProviderBatch batch(JsonNode b) {
        String status = b.path("processing_status").asText("");
        JsonNode counts = b.path("request_counts");
        Map<String, String> raw = new LinkedHashMap<>();
        long total = 0;
        for (String c : COUNTS) {
            long n = counts.path(c).asLong(0);
            total += n;
            raw.put(c, String.valueOf(n));
        }
        return new ProviderBatch(text(b, "id"), state(status), status, null, instant(text(b, "created_at")), total,
                null, null, text(b, "results_url"), List.of(), raw);
    }

    /** There is no failed or expired batch state: per-line outcomes live in the results. */
    static BatchState state(String status) {
        return switch (status) {
            case "canceling" -> BatchState.CANCELLING;
            case "ended" -> BatchState.ENDED;
            default -> BatchState.IN_PROGRESS;
        };
    }

    /** RFC 3339 with any offset ({@code Z} or {@code +00:00} were both seen). */
    static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an RFC 3339 time: " + s);
        }
    }

    static ResultLine line(JsonNode line) {
        String customId = text(line, "custom_id");
        if (customId == null) {
            throw new IllegalArgumentException("result line without custom_id");
        }
        JsonNode result = line.path("result");
        String type = result.path("type").asText("");
        return switch (type) {
            case "succeeded" -> {
                JsonNode message = result.path("message");
                yield new ResultLine(customId, LineOutcome.SUCCEEDED, 200,
                        message.isObject() ? (ObjectNode) message : null, null, null, false,
                        UsageNormaliser.anthropic(message.path("usage")));
            }
            case "errored" -> {
                JsonNode inner = result.path("error").path("error");
                String errorType = text(inner, "type");
                yield new ResultLine(customId, LineOutcome.ERRORED, null, null, errorType, text(inner, "message"),
                        !PERMANENT_ERRORS.contains(errorType), Usage.ZERO);
            }
            case "canceled" -> new ResultLine(customId, LineOutcome.CANCELLED, null, null, "canceled", null, true,
                    Usage.ZERO);
            case "expired" -> new ResultLine(customId, LineOutcome.EXPIRED, null, null, "expired", null, true,
                    Usage.ZERO);
            default -> throw new IllegalArgumentException("unknown result type '" + type + "' for " + customId);
        };
    }
}
