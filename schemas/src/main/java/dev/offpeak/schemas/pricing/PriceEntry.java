package dev.offpeak.schemas.pricing;

import dev.offpeak.schemas.events.Provider;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One price row of a model: its base rates and long-context tiers, in force from
 * {@code effectiveFrom} until a later row of the same model supersedes it, with the batch rule
 * that turns list prices into batch prices and the source the figures were taken from.
 */
public record PriceEntry(
        Provider provider,
        String model,
        LocalDate effectiveFrom,
        PriceRates base,
        List<PriceTier> tiers,
        BigDecimal batchMultiplier,
        BatchCachedInput batchCachedInput,
        String source) {

    public PriceEntry {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(batchMultiplier, "batchMultiplier");
        Objects.requireNonNull(batchCachedInput, "batchCachedInput");
        tiers = tiers == null ? List.of()
                : tiers.stream().sorted(Comparator.comparingLong(PriceTier::above)).toList();
    }

    /** The rates a request with {@code promptTokens} prompt tokens bills at: the highest tier it passes. */
    public PriceRates ratesFor(long promptTokens) {
        PriceRates rates = base;
        for (PriceTier tier : tiers) {
            if (promptTokens > tier.above()) {
                rates = tier.rates();
            }
        }
        return rates;
    }

    /** Stable name of this row, stored with every cost it priced: {@code provider/model/effective_from}. */
    public String version() {
        return provider.id() + "/" + model + "/" + effectiveFrom;
    }
}
