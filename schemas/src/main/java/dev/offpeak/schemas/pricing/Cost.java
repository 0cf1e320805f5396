package dev.offpeak.schemas.pricing;

import dev.offpeak.schemas.events.Usage;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The exact cost of one result: what was billed in the mode the line ran in, what the same usage
 * costs at synchronous list prices (cache hits and writes at their synchronous rates), what the same
 * prompt and output cost at synchronous list rates without any cache (every prompt token at the
 * input rate: the work sent one by one), and the difference. Every figure is an exact
 * {@link BigDecimal} (a price per million tokens times a token count, divided by 10^6, never rounded).
 *
 * @param batchUsd what was billed, in the mode the line ran in ({@link Mode}): the batch price for a
 *                 batch line (the only mode before flex and sync lanes, hence the name, kept so the
 *                 modules that store it need no change), the flex price for a flex line, the
 *                 synchronous price for a sync line. {@link #billedUsd()} is the same figure.
 * @param syncUsd  the same usage at synchronous rates, whatever the mode (mode-independent)
 * @param listUsd  the same prompt and output at synchronous rates without cache (mode-independent)
 */
public record Cost(BigDecimal batchUsd, BigDecimal syncUsd, BigDecimal listUsd, String priceVersion) {
    public static final Cost FREE = new Cost(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, null);

    /** What was billed, in the mode the line ran in: the same figure as {@link #batchUsd()}. */
    public BigDecimal billedUsd() {
        return batchUsd;
    }

    /** What running in its mode saved against the same usage at synchronous rates (0 for a sync line). */
    public BigDecimal savedUsd() {
        return normalize(syncUsd.subtract(batchUsd));
    }

    /**
     * Prices one usage record of a batch line with one price row, at the tier the request's prompt
     * reaches (input, cached input and cache writes together; the whole request bills at that tier).
     * The same as {@code of(usage, price, Mode.BATCH)}.
     */
    public static Cost of(Usage usage, PriceEntry price) {
        return of(usage, price, Mode.BATCH);
    }

    /**
     * Prices one usage record of a line that ran in {@code mode}, at the tier the request's prompt
     * reaches (every class of the request at that tier's rates, in every mode):
     * <ul>
     *   <li>BATCH: the tier's rates × {@code batch_multiplier}, cached input per {@code batch_cached_input};</li>
     *   <li>FLEX: the tier's rates × {@code flex_multiplier}, cached input per {@code flex_cached_input};
     *       a row without a flex tier is refused ({@link IllegalArgumentException}): a line never bills
     *       in a mode its model does not offer;</li>
     *   <li>SYNC: the tier's synchronous rates (billed = sync).</li>
     * </ul>
     */
    public static Cost of(Usage usage, PriceEntry price, Mode mode) {
        Objects.requireNonNull(mode, "mode: a line is priced in the mode it ran in, never a default");
        PriceRates rates = price.ratesFor(promptTokens(usage));
        BigDecimal syncPerMillion = discounted(usage, rates, BigDecimal.ONE, BatchCachedInput.UNMULTIPLIED);
        BigDecimal billedPerMillion = switch (mode) {
            case BATCH -> discounted(usage, rates, price.batchMultiplier(), price.batchCachedInput());
            case FLEX -> {
                if (!price.offersFlex()) {
                    throw new IllegalArgumentException(price.provider().id() + "/" + price.model()
                            + " has no flex tier (no flex_multiplier in the model registry for the row from "
                            + price.effectiveFrom() + "): a line of it cannot be priced in flex");
                }
                yield discounted(usage, rates, price.flexMultiplier(), price.flexCachedInput());
            }
            case SYNC -> syncPerMillion;
        };
        BigDecimal listPerMillion = sum(
                times(promptTokens(usage), rates.input()),
                times(usage.outputTokens() + usage.reasoningTokens(), rates.output()));
        return new Cost(perToken(billedPerMillion), perToken(syncPerMillion), perToken(listPerMillion), price.version());
    }

    /** Per-million sum of every class at {@code rates} × {@code m}, cached input per {@code cachedRule}. */
    private static BigDecimal discounted(Usage usage, PriceRates rates, BigDecimal m, BatchCachedInput cachedRule) {
        BigDecimal cachedRate = switch (cachedRule) {
            case MULTIPLIED -> rates.cachedInput().multiply(m);
            case AS_INPUT -> rates.input().multiply(m);
            case UNMULTIPLIED -> rates.cachedInput();
        };
        return sum(
                times(usage.inputTokens(), rates.input().multiply(m)),
                times(usage.cachedInputTokens(), cachedRate),
                times(usage.cacheWrite5mTokens(), rates.cacheWrite5m().multiply(m)),
                times(usage.cacheWrite1hTokens(), rates.cacheWrite1h().multiply(m)),
                times(usage.outputTokens() + usage.reasoningTokens(), rates.output().multiply(m)));
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
