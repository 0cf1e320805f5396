package dev.offpeak.schemas.pricing;

import dev.offpeak.schemas.events.Usage;
import java.math.BigDecimal;

/**
 * The exact cost of one result: what the batch bills, what the same usage costs at synchronous
 * list prices (cache hits and writes at their synchronous rates), what the same prompt and output
 * cost at synchronous list rates without any cache (every prompt token at the input rate: the work
 * sent one by one), and the difference. Every figure is an exact {@link BigDecimal} (a price per
 * million tokens times a token count, divided by 10^6, never rounded).
 */
public record Cost(BigDecimal batchUsd, BigDecimal syncUsd, BigDecimal listUsd, String priceVersion) {
    public static final Cost FREE = new Cost(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, null);

    public BigDecimal savedUsd() {
        return normalize(syncUsd.subtract(batchUsd));
    }

    /**
     * Prices one usage record with one price row, at the tier the request's prompt reaches (input,
     * cached input and cache writes together; the whole request bills at that tier).
     */
    public static Cost of(Usage usage, PriceEntry price) {
        PriceRates rates = price.ratesFor(promptTokens(usage));
        BigDecimal m = price.batchMultiplier();
        BigDecimal cachedBatchRate = switch (price.batchCachedInput()) {
            case MULTIPLIED -> rates.cachedInput().multiply(m);
            case AS_INPUT -> rates.input().multiply(m);
            case UNMULTIPLIED -> rates.cachedInput();
        };
        BigDecimal batchPerMillion = sum(
                times(usage.inputTokens(), rates.input().multiply(m)),
                times(usage.cachedInputTokens(), cachedBatchRate),
                times(usage.cacheWrite5mTokens(), rates.cacheWrite5m().multiply(m)),
                times(usage.cacheWrite1hTokens(), rates.cacheWrite1h().multiply(m)),
                times(usage.outputTokens() + usage.reasoningTokens(), rates.output().multiply(m)));
        BigDecimal syncPerMillion = sum(
                times(usage.inputTokens(), rates.input()),
                times(usage.cachedInputTokens(), rates.cachedInput()),
                times(usage.cacheWrite5mTokens(), rates.cacheWrite5m()),
                times(usage.cacheWrite1hTokens(), rates.cacheWrite1h()),
                times(usage.outputTokens() + usage.reasoningTokens(), rates.output()));
        BigDecimal listPerMillion = sum(
                times(promptTokens(usage), rates.input()),
                times(usage.outputTokens() + usage.reasoningTokens(), rates.output()));
        return new Cost(perToken(batchPerMillion), perToken(syncPerMillion), perToken(listPerMillion), price.version());
    }

    /** The prompt size that selects a tier: every input class, cached or not. */
    public static long promptTokens(Usage usage) {
        return usage.inputTokens() + usage.cachedInputTokens() + usage.cacheWrite5mTokens()
                + usage.cacheWrite1hTokens();
    }

    /** A duplicate: billed nothing, and it saved the whole synchronous cost of its answer. */
    public Cost asDuplicate() {
        return new Cost(BigDecimal.ZERO, syncUsd, listUsd, priceVersion);
    }

    private static BigDecimal times(long tokens, BigDecimal rate) {
        return rate.multiply(BigDecimal.valueOf(tokens));
    }

    private static BigDecimal sum(BigDecimal... parts) {
        BigDecimal total = BigDecimal.ZERO;
        for (BigDecimal p : parts) {
            total = total.add(p);
        }
        return total;
    }

    private static BigDecimal perToken(BigDecimal perMillion) {
        return normalize(perMillion.movePointLeft(6));
    }

    /** Drops trailing zeros without ever using exponent notation for whole numbers. */
    static BigDecimal normalize(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
