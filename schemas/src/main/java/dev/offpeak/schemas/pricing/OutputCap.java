package dev.offpeak.schemas.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;

/**
 * The most output a request lets the model produce, as the request itself caps it:
 * {@code max_completion_tokens}, {@code max_tokens}, {@code max_output_tokens} (OpenAI, Anthropic),
 * or Gemini's {@code generationConfig.maxOutputTokens} (either spelling). Empty when the request sets
 * no cap (the model's own maximum then applies).
 */
public final class OutputCap {
    private static final String[] TOP_LEVEL = {"max_completion_tokens", "max_tokens", "max_output_tokens"};
    private static final String[] GENERATION_CONFIG = {"generationConfig", "generation_config"};
    private static final String[] GEMINI_CAP = {"maxOutputTokens", "max_output_tokens"};

    public static OptionalLong of(JsonNode request) {
        for (String field : TOP_LEVEL) {
            OptionalLong cap = positive(request.get(field));
            if (cap.isPresent()) {
                return cap;
            }
        }
        for (String config : GENERATION_CONFIG) {
            JsonNode gen = request.path(config);
            for (String field : GEMINI_CAP) {
                OptionalLong cap = positive(gen.get(field));
                if (cap.isPresent()) {
                    return cap;
                }
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalLong positive(JsonNode cap) {
        return cap != null && cap.canConvertToLong() && cap.asLong() > 0 ? OptionalLong.of(cap.asLong())
                : OptionalLong.empty();
    }

    private OutputCap() {}
}
