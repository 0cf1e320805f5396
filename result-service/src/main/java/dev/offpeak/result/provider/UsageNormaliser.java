package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Usage;

/**
 * Turns each provider's usage object into {@link Usage}, where every token class is counted once:
 * input excludes cached and cache-write tokens, output excludes reasoning tokens. The mapping per
 * provider is documented in {@code package-info.java}. Counts that would go negative on
 * inconsistent provider data are floored at zero rather than failing the whole result file.
 */
public final class UsageNormaliser {
    private UsageNormaliser() {}

    /**
     * OpenAI {@code response.body.usage}, whichever endpoint produced it: Responses
     * ({@code input_tokens}...), Chat Completions ({@code prompt_tokens} + {@code completion_tokens})
     * or Embeddings ({@code prompt_tokens} only).
     */
    public static Usage openAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Usage.ZERO;
        }
        if (usage.has("input_tokens")) {
            return split(n(usage, "input_tokens"), n(usage.path("input_tokens_details"), "cached_tokens"),
                    n(usage, "output_tokens"), n(usage.path("output_tokens_details"), "reasoning_tokens"));
        }
        return split(n(usage, "prompt_tokens"), n(usage.path("prompt_tokens_details"), "cached_tokens"),
                n(usage, "completion_tokens"), n(usage.path("completion_tokens_details"), "reasoning_tokens"));
    }

    private static Usage split(long prompt, long cached, long completion, long reasoning) {
        return new Usage(floor(prompt - cached), cached, 0, 0, floor(completion - reasoning), reasoning);
    }

    /**
     * Anthropic {@code result.message.usage}: {@code input_tokens} is already the uncached part;
     * cache writes come split by TTL in {@code cache_creation}, or only as
     * {@code cache_creation_input_tokens} (then billed as 5-minute writes, the default TTL).
     * Extended thinking is inside {@code output_tokens} and billed as output, so reasoning is 0.
     */
    public static Usage anthropic(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Usage.ZERO;
        }
        JsonNode creation = usage.path("cache_creation");
        long write5m;
        long write1h;
        if (creation.isObject()) {
            write5m = n(creation, "ephemeral_5m_input_tokens");
            write1h = n(creation, "ephemeral_1h_input_tokens");
        } else {
            write5m = n(usage, "cache_creation_input_tokens");
            write1h = 0;
        }
        return new Usage(n(usage, "input_tokens"), n(usage, "cache_read_input_tokens"), write5m, write1h,
                n(usage, "output_tokens"), 0);
    }

    /**
     * Gemini {@code usageMetadata}: {@code promptTokenCount} includes {@code cachedContentTokenCount};
     * {@code toolUsePromptTokenCount} is input too; {@code thoughtsTokenCount} is reasoning, not part
     * of {@code candidatesTokenCount}. Absent fields are zero (proto3 omits them).
     */
    public static Usage gemini(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Usage.ZERO;
        }
        long cached = n(usage, "cachedContentTokenCount");
        long input = floor(n(usage, "promptTokenCount") - cached) + n(usage, "toolUsePromptTokenCount");
        return new Usage(input, cached, 0, 0, n(usage, "candidatesTokenCount"), n(usage, "thoughtsTokenCount"));
    }

    /** A count that may be a number or, in proto3 JSON, a string; absent or null is 0. */
    static long n(JsonNode parent, String field) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (v.isNumber()) {
            return floor(v.asLong());
        }
        try {
            return floor(Long.parseLong(v.asText().trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("usage field " + field + " is not a count: " + v);
        }
    }

    private static long floor(long v) {
        return Math.max(0, v);
    }
}
