package dev.offpeak.schemas.pricing;

import dev.offpeak.schemas.events.Provider;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One row of the price catalog: synchronous list prices in USD per million tokens for a model,
 * in force from {@code effectiveFrom} until a later row of the same model supersedes it.
 * Unset cache rates fall back to the input rate (the provider gives no cache discount).
 */
public record PriceEntry(
        Provider provider,
        String model,
        LocalDate effectiveFrom,
        BigDecimal input,
        BigDecimal cachedInput,
        BigDecimal cacheWrite5m,
        BigDecimal cacheWrite1h,
        BigDecimal output,
        BigDecimal batchMultiplier,
        BatchCachedInput batchCachedInput,
        String source) {

    public PriceEntry {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(batchMultiplier, "batchMultiplier");
        Objects.requireNonNull(batchCachedInput, "batchCachedInput");
        cachedInput = cachedInput == null ? input : cachedInput;
        cacheWrite5m = cacheWrite5m == null ? input : cacheWrite5m;
        cacheWrite1h = cacheWrite1h == null ? input : cacheWrite1h;
    }

    /** Stable name of this row, stored with every cost it priced: {@code provider/model/effective_from}. */
    public String version() {
        return provider.id() + "/" + model + "/" + effectiveFrom;
    }
}
