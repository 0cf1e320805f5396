package dev.offpeak.schemas.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A sealed job whose tasks are all terminal; see job.completed.schema.json. {@code linesByMode}: the
 * lines of its requests that ran, per mode; {@code rescueCostUsd}: what the flex / sync lines cost
 * over the batch price (both absent from events of earlier versions).
 */
public record JobCompleted(
        String eventId,
        String jobId,
        String tenant,
        long tasks,
        long succeeded,
        long failed,
        long expired,
        long cancelled,
        long duplicates,
        BigDecimal costUsd,
        BigDecimal syncCostUsd,
        BigDecimal savedUsd,
        Instant firstSubmittedAt,
        Instant sealedAt,
        Instant completedAt,
        java.util.Map<String, Long> linesByMode,
        BigDecimal rescueCostUsd) implements Event {

    public static final String TYPE = "job.completed";

    @Override
    public String type() {
        return TYPE;
    }
}
