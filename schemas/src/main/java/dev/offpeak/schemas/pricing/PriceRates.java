package dev.offpeak.schemas.pricing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Synchronous list prices in USD per million tokens for every token class of one model at one
 * tier. Unset cache rates fall back to the input rate (the provider gives no cache discount).
 * Reasoning tokens bill at the output rate at all three providers, so they have no class of their own.
 */
public record PriceRates(
        BigDecimal input,
        BigDecimal cachedInput,
        BigDecimal cacheWrite5m,
        BigDecimal cacheWrite1h,
        BigDecimal output) {

    public PriceRates {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        cachedInput = cachedInput == null ? input : cachedInput;
        cacheWrite5m = cacheWrite5m == null ? input : cacheWrite5m;
        cacheWrite1h = cacheWrite1h == null ? input : cacheWrite1h;
    }
}
