package dev.offpeak.schemas.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A budget's level (spent plus reserved in its period) reached one of its alert thresholds; see
 * budget.threshold.schema.json. Raised once per budget, period and threshold.
 *
 * @param threshold   the fraction of the limit that was reached (0.8 = 80 %)
 * @param periodStart start of the period (UTC); 1970-01-01T00:00:00Z for a budget without a period
 */
public record BudgetThreshold(
        String eventId,
        String budgetId,
        String tenant,
        String jobId,
        String metadataKey,
        String metadataValue,
        String period,
        Instant periodStart,
        String mode,
        BigDecimal threshold,
        BigDecimal limitUsd,
        BigDecimal levelUsd,
        Instant crossedAt) implements Event {

    public static final String TYPE = "budget.threshold";

    @Override
    public String type() {
        return TYPE;
    }
}
