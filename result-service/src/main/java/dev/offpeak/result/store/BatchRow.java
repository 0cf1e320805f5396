package dev.offpeak.result.store;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.Mode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * A pipeline batch as the submitter and poller see it.
 *
 * @param mode       how its lines run: a provider batch, or synchronous calls (flex / sync)
 * @param rescueMode null, or the mode its unfinished lines go again in after a deadline rescue
 */
public record BatchRow(
        String batchId,
        String lane,
        Provider provider,
        String endpoint,
        String model,
        PipelineState state,
        long expectedCount,
        long expectedBytes,
        long estimatedTokens,
        String providerBatchId,
        int submitAttempts,
        int pollAttempts,
        int tokenLimitHits,
        Instant firstSubmitAt,
        Instant submittedAt,
        long refusedCount,
        Mode mode,
        Mode rescueMode) {

    /** The lines sent to the provider: the batch's lines less those a hard budget refused. */
    public long sentCount() {
        return expectedCount - refusedCount;
    }

    /**
     * The id sent to the provider (metadata, file name, display name). A batch resubmitted after
     * token_limit_exceeded gets a new round suffix, so the failed provider batch of the earlier
     * round is never mistaken for the new one when looking for a lost answer.
     */
    public String submissionKey() {
        return tokenLimitHits == 0 ? batchId : batchId + "-r" + tokenLimitHits;
    }

    static BatchRow map(ResultSet rs) throws SQLException {
        return new BatchRow(rs.getString("batch_id"), rs.getString("lane"), Provider.of(rs.getString("provider")),
                rs.getString("endpoint"), rs.getString("model"), PipelineState.of(rs.getString("state")), rs.getLong("expected_count"),
                rs.getLong("expected_bytes"), rs.getLong("estimated_tokens"), rs.getString("provider_batch_id"),
                rs.getInt("submit_attempts"), rs.getInt("poll_attempts"), rs.getInt("token_limit_hits"),
                instant(rs.getTimestamp("first_submit_at")), instant(rs.getTimestamp("submitted_at")),
                rs.getLong("refused_count"), Mode.of(rs.getString("mode")),
                rs.getString("rescue_mode") == null ? null : Mode.of(rs.getString("rescue_mode")));
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
