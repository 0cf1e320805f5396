package dev.offpeak.result.settle;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.result.store.FollowUpBatches;
import dev.offpeak.result.store.TaskState;
import dev.offpeak.schemas.pricing.Mode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Lines that expired, were cancelled or failed with a retryable error go into a new batch of the
 * same lane, one attempt higher; lines that succeeded are never resent. A request is retried only
 * while it is below the attempt limit and one of its open tasks is still before its deadline;
 * otherwise its last result becomes final and its tasks end with that error.
 *
 * @param maxAttempts attempts per request, the first included
 * @param delay       wait before the retry batch is submitted
 */
public record Retries(int maxAttempts, Duration delay) {

    public Retries {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("Invalid value " + maxAttempts + " for maxAttempts: must be >= 1");
        }
    }

    /** A line that never ran (its batch expired or was cancelled): a rescue sends it again whatever its attempt. */
    static boolean unfinished(LineOutcome outcome) {
        return outcome == LineOutcome.CANCELLED || outcome == LineOutcome.EXPIRED;
    }

    /** Whether a line of attempt {@code attempt} may be sent again (deadlines are checked later). */
    boolean mayRetry(boolean retryable, int attempt) {
        return retryable && attempt < maxAttempts;
    }

    /**
     * What {@link #retry} did.
     *
     * @param batchId   the new batch of the lines sent again; null when none is
     * @param finalised requests whose retryable result became final (their tasks are past deadline)
     */
    record Retried(String batchId, List<String> finalised) {}

    /**
     * Finalises the non-final results of {@code batchId} whose tasks are all past their deadline,
     * then puts the rest into one new batch: in the batch's own mode after the retry delay, or, for
     * a deadline rescue ({@code rescueMode} not null), in the rescue's mode at once.
     */
    Retried retry(Connection c, String batchId, Mode rescueMode, Instant now)
            throws SQLException {
        List<String> finalised = Db.query(c, """
                UPDATE results r SET final = true
                 WHERE r.batch_id = ? AND NOT r.final
                   AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.request_id = r.request_id AND t.status = %s
                                     AND (t.not_after IS NULL OR t.not_after > ?))
                RETURNING r.request_id""".formatted(TaskState.ACCEPTED.sql()), rs -> rs.getString(1), batchId, now);
        List<String> ids = Db.query(c, """
                SELECT bi.request_id FROM batch_items bi
                  JOIN results r ON r.batch_id = bi.batch_id AND r.request_id = bi.request_id
                 WHERE bi.batch_id = ? AND NOT r.final ORDER BY bi.seq""", rs -> rs.getString(1), batchId);
        if (ids.isEmpty()) {
            return new Retried(null, finalised);
        }
        int attempt = Db.queryOne(c, "SELECT max(attempt) FROM batch_items WHERE batch_id = ?",
                rs -> rs.getInt(1), batchId).orElse(1) + 1;
        String retryId = FollowUpBatches.id(batchId + ":" + attempt, "-a" + attempt);
        if (rescueMode != null) {
            FollowUpBatches.create(c, retryId, batchId, ids, "rescue", attempt, now, now, rescueMode);
        } else {
            FollowUpBatches.create(c, retryId, batchId, ids, "retry", attempt, now.plus(delay), now);
        }
        return new Retried(retryId, finalised);
    }
}
