package dev.offpeak.result.store;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

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

    /** States a batch may be settled from: in flight, or refused while submitting. */
    public static final Set<PipelineState> SETTLEABLE = EnumSet.of(IN_FLIGHT, SUBMITTING);

    /** The value in {@code batches.state}. */
    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value as a SQL literal, for statements whose plans should see it (partial indexes). */
    public String sql() {
        return "'" + db() + "'";
    }

    /** {@code states} as a parenthesised list of SQL literals, for {@code state IN ...}. */
    public static String sql(Collection<PipelineState> states) {
        return states.stream().map(PipelineState::sql).collect(Collectors.joining(", ", "(", ")"));
    }

    public static PipelineState of(String db) {
        return Arrays.stream(values()).filter(s -> s.db().equals(db)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown batch state '" + db + "'"));
    }
}
