package dev.offpeak.schemas.pricing;

import java.util.Locale;

/**
 * How cached input tokens are billed in a discounted mode: inside a batch ({@code batch_cached_input})
 * or in OpenAI's flex tier ({@code flex_cached_input}). The three providers differ, and OpenAI
 * differs per model family and per mode, so this is a per-row registry field rather than code per
 * provider. "Multiplier" below is the mode's multiplier ({@code batch_multiplier} or {@code flex_multiplier}).
 */
public enum BatchCachedInput {
    /** cached rate x multiplier: the discounts stack (Anthropic, OpenAI GPT-5 family; OpenAI flex) */
    MULTIPLIED,
    /** input rate x multiplier: no cache discount in the mode (OpenAI gpt-4o, gpt-4.1 in batch) */
    AS_INPUT,
    /** cached rate, not halved: "standard caching rates" (Gemini) */
    UNMULTIPLIED;

    public static BatchCachedInput parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
