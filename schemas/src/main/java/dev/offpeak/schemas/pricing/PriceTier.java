package dev.offpeak.schemas.pricing;

import java.util.Objects;

/**
 * A long-context tier: once a request's prompt (input + cached input + cache writes) exceeds
 * {@code above} tokens, the whole request bills at {@code rates}, every class, as Anthropic and
 * Google price prompts over 200K and OpenAI prices GPT-5.4+ prompts of 272K and more.
 */
public record PriceTier(long above, PriceRates rates) {
    public PriceTier {
        Objects.requireNonNull(rates, "rates");
        if (above < 0) {
            throw new IllegalArgumentException("tier threshold must be >= 0, was " + above);
        }
    }
}
