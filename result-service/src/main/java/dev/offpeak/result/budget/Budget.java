package dev.offpeak.result.budget;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A spend limit on a tenant's tasks, optionally only one job's, or only those whose metadata has
 * {@code metadataKey = metadataValue}.
 *
 * @param thresholds fractions of the limit (0.5 = 50 %) at which a {@code budget.threshold} alert is raised,
 *                   ascending
 */
public record Budget(String budgetId, String tenant, String jobId, String metadataKey, String metadataValue,
        Period period, BigDecimal limitUsd, Mode mode, List<BigDecimal> thresholds, boolean active) {

    public static final List<BigDecimal> DEFAULT_THRESHOLDS =
            List.of(new BigDecimal("0.5"), new BigDecimal("0.8"), BigDecimal.ONE);

    public Budget {
        Objects.requireNonNull(budgetId, "budgetId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(limitUsd, "limitUsd");
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.HOLD && period == Period.NONE) {
            throw new IllegalArgumentException("a hold budget needs a period (day or month) to wait for");
        }
        thresholds = List.copyOf(thresholds);
    }

    /** What happens at the limit. */
    public enum Mode {
        /** Lines that would take the budget over its limit are not sent; their tasks fail. */
        HARD,
        /**
         * Lines that would take the budget over its limit wait for the next period (a day or month
         * budget only); a task whose deadline comes before then fails as under {@link #HARD}.
         */
        HOLD,
        /** Every line is sent; crossing a threshold raises an alert. */
        SOFT;

        /** Whether lines over the limit are kept back (failed or held). */
        public boolean stops() {
            return this != SOFT;
        }

        public String db() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode of(String db) {
            return valueOf(db.toUpperCase(Locale.ROOT));
        }
    }

    /** The window a budget's spend is counted in; a charge stays in the period it was admitted in. */
    public enum Period {
        DAY, MONTH, NONE;

        /** Start of the period holding {@code at} (UTC); the epoch for {@link #NONE}. */
        public Instant start(Instant at) {
            LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
            return switch (this) {
                case DAY -> day.atStartOfDay(ZoneOffset.UTC).toInstant();
                case MONTH -> day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                case NONE -> Instant.EPOCH;
            };
        }

        /** Start of the next period; null for {@link #NONE}. */
        public Instant next(Instant at) {
            LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
            return switch (this) {
                case DAY -> day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                case MONTH -> day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                case NONE -> null;
            };
        }

        public String db() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** "per day", "per month", "no period". */
        public String words() {
            return this == NONE ? "no period" : "per " + db();
        }

        public static Period of(String db) {
            return valueOf(db.toUpperCase(Locale.ROOT));
        }
    }

    /** Whether a task of {@code tenant} in {@code jobId} with {@code metadata} is under this budget. */
    public boolean covers(String taskTenant, String taskJobId, JsonNode metadata) {
        if (!tenant.equals(taskTenant)) {
            return false;
        }
        if (jobId != null && !jobId.equals(taskJobId)) {
            return false;
        }
        if (metadataKey != null) {
            JsonNode value = metadata == null ? null : metadata.get(metadataKey);
            return value != null && value.isValueNode() && metadataValue.equals(value.asText());
        }
        return true;
    }

    /** What the budget covers, in words: "tenant acme, job nightly-7". */
    public String scope() {
        StringBuilder s = new StringBuilder("tenant ").append(tenant);
        if (jobId != null) {
            s.append(", job ").append(jobId);
        }
        if (metadataKey != null) {
            s.append(", metadata ").append(metadataKey).append('=').append(metadataValue);
        }
        return s.toString();
    }
}
