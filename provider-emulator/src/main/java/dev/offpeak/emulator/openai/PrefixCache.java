package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.emulator.PrefixStore;
import java.time.Duration;
import java.time.Instant;

/**
 * OpenAI's automatic prompt caching (https://platform.openai.com/docs/guides/prompt-caching): a prompt
 * of at least the model's minimum (1024 tokens; the registry's {@code minCacheablePrefix}, 0 = the model
 * does not cache) whose start matches a prompt seen recently reads the shared prefix, counted in
 * 128-token blocks. The cache is per caller (API key) and model, and {@code prompt_cache_key} is
 * combined with the prefix ("requests with different keys do not share cached prefixes"). Entries live
 * across batches on the emulator clock: forgotten after {@link EmulatorConfig.Choices#openAiCacheIdle}
 * without a hit and at most {@link EmulatorConfig.Choices#openAiCacheMaxAge} after they were written, or
 * 24 hours with {@code prompt_cache_retention: "24h"} on a model that offers it. Embeddings never cache.
 *
 * <p>A prompt is remembered as one 64-bit hash per whole 128-token block ({@link PrefixStore}), so a
 * 128K-token prompt takes 8 KB and a shared prefix has no length cap.
 */
public final class PrefixCache {
    static final int STEP = 128;
    static final Duration EXTENDED = Duration.ofHours(24);

    private PrefixCache() {
    }

    /** The route: caller, model and cache key; prompts on different routes never share a prefix. */
    static String route(String scope, JsonNode body) {
        JsonNode key = body.path("prompt_cache_key");
        return scope + "|" + body.path("model").asText() + "|" + (key.isTextual() ? "k:" + key.asText() : "-");
    }

    /** Whether this body asks for, and its model offers, 24-hour retention. */
    static boolean extended(JsonNode body, EmulatorConfig.Choices choices) {
        if (!"24h".equals(body.path("prompt_cache_retention").asText())) {
            return false;
        }
        String model = body.path("model").asText();
        return choices.openAiExtendedRetentionModels().stream().anyMatch(model::startsWith);
    }

    /** Cached tokens of this prompt at {@code t}; remembers it for later prompts. */
    public static int cachedTokens(PrefixStore store, String scope, JsonNode body, int[] prompt, long min,
                                   Instant t, EmulatorConfig.Choices choices) {
        if (min <= 0 || prompt.length < min) {
            return 0;
        }
        PrefixStore.Prompt p = new PrefixStore.Builder(STEP, min).tokens(prompt).build();
        boolean longer = extended(body, choices);
        return (int) store.lookupAndRemember(route(scope, body), p, min, t,
                longer ? EXTENDED : choices.openAiCacheIdle(), longer ? EXTENDED : choices.openAiCacheMaxAge());
    }
}
