package dev.offpeak.result.store;

import java.util.Arrays;
import java.util.Locale;

/**
 * A pipeline batch's state ({@code batches.state}), its database value the lower-case name:
 * {@code collecting -> ready -> submitting -> in_flight -> settled}; {@code submitting -> failed}
 * (a permanent refusal); {@code in_flight -> ready} (token_limit_exceeded). {@code split} is allowed
 * by the schema and not entered by this version.
 */
public enum PipelineState {
    COLLECTING,
    READY,
    SUBMITTING,
    IN_FLIGHT,
    SETTLED,
    FAILED,
    SPLIT;

    /** The value in {@code batches.state}. */
    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value as a SQL literal, for statements whose plans should see it (partial indexes). */
    public String sql() {
        return "'" + db() + "'";
    }

    public static PipelineState of(String db) {
        return Arrays.stream(values()).filter(s -> s.db().equals(db)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown batch state '" + db + "'"));
    }
}
