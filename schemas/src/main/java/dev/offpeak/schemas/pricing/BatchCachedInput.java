package dev.offpeak.schemas.pricing;

import java.util.Locale;

/**
 * How cached input tokens are billed inside a batch. The three providers differ, and OpenAI
 * differs per model family, so this is a per-row registry field rather than code per provider.
 */
public enum BatchCachedInput {
    /** cached rate x batch multiplier: the discounts stack (Anthropic, OpenAI GPT-5 family) */
    MULTIPLIED,
    /** input rate x batch multiplier: no cache discount in the batch tier (OpenAI gpt-4o, gpt-4.1) */
    AS_INPUT,
    /** cached rate, not halved: "standard caching rates" (Gemini) */
    UNMULTIPLIED;

    public static BatchCachedInput parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
