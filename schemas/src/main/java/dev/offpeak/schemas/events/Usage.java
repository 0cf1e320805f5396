package dev.offpeak.schemas.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Token usage of one result, normalised across providers. {@code inputTokens} excludes cached
 * and cache-write tokens; {@code outputTokens} excludes reasoning tokens, so every class is billed
 * once.
 */
public record Usage(
        long inputTokens,
        long cachedInputTokens,
        @JsonProperty("cache_write_5m_tokens") long cacheWrite5mTokens,
        @JsonProperty("cache_write_1h_tokens") long cacheWrite1hTokens,
        long outputTokens,
        long reasoningTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0, 0);

    public Usage {
        if (inputTokens < 0 || cachedInputTokens < 0 || cacheWrite5mTokens < 0 || cacheWrite1hTokens < 0
                || outputTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0: " + this);
        }
    }

    public long totalTokens() {
        return inputTokens + cachedInputTokens + cacheWrite5mTokens + cacheWrite1hTokens + outputTokens
                + reasoningTokens;
    }
}
