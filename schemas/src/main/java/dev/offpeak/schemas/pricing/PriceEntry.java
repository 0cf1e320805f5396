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
 * that turns list prices into batch prices, the flex rule that turns them into flex prices (both
 * null when the model has no flex tier), and the source the figures were taken from.
 *
 * @param flexMultiplier   list rate × this = flex rate, in (0, 1]; null: the model has no flex tier
 * @param flexCachedInput  how cached input bills in flex; null exactly when {@code flexMultiplier} is
 */
public record PriceEntry(
        Provider provider,
        String model,
        LocalDate effectiveFrom,
        PriceRates base,
        List<PriceTier> tiers,
        BigDecimal batchMultiplier,
        BatchCachedInput batchCachedInput,
        BigDecimal flexMultiplier,
        BatchCachedInput flexCachedInput,
        String source) {

    public PriceEntry {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(batchMultiplier, "batchMultiplier");
        Objects.requireNonNull(batchCachedInput, "batchCachedInput");
        if ((flexMultiplier == null) != (flexCachedInput == null)) {
            throw new IllegalArgumentException("flexMultiplier and flexCachedInput are set together or not at all: "
                    + flexMultiplier + ", " + flexCachedInput);
        }
        if (flexMultiplier != null && (flexMultiplier.signum() <= 0 || flexMultiplier.compareTo(BigDecimal.ONE) > 0)) {
            throw new IllegalArgumentException("flexMultiplier must be in (0, 1], was " + flexMultiplier);
        }
        tiers = tiers == null ? List.of()
                : tiers.stream().sorted(Comparator.comparingLong(PriceTier::above)).toList();
    }

    /** A row without a flex tier (the batch rule only), as stored rows and older callers build it. */
    public PriceEntry(Provider provider, String model, LocalDate effectiveFrom, PriceRates base, List<PriceTier> tiers,
            BigDecimal batchMultiplier, BatchCachedInput batchCachedInput, String source) {
        this(provider, model, effectiveFrom, base, tiers, batchMultiplier, batchCachedInput, null, null, source);
    }

    /**
     * Whether a prompt-cache breakpoint on a prefix of {@code prefixTokens} shared by {@code lines}
     * lines pays for itself at this row's rates: one 1-hour write plus {@code lines - 1} reads cost
     * less than {@code lines} plain inputs. With Anthropic's multipliers (write 2x, read 0.1x) that
     * takes 3 lines. result-service adds breakpoints by it; {@code offpeak quote} expects them by it.
     */
    public boolean breakpointPaysBack(long prefixTokens, long lines) {
        if (lines < 2) {
            return false;
        }
        PriceRates rates = ratesFor(prefixTokens);
        BigDecimal plain = rates.input().multiply(BigDecimal.valueOf(lines));
        BigDecimal cached = rates.cacheWrite1h().add(rates.cachedInput().multiply(BigDecimal.valueOf(lines - 1)));
        return cached.compareTo(plain) < 0;
    }

    /** Whether the model can run in {@link Mode#FLEX} under this row (OpenAI {@code service_tier: "flex"}). */
    public boolean offersFlex() {
        return flexMultiplier != null;
    }

    /** Whether a line can be priced in {@code mode} with this row: BATCH and SYNC always, FLEX where offered. */
    public boolean offers(Mode mode) {
        return mode != Mode.FLEX || offersFlex();
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
