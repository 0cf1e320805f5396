package dev.offpeak.result.settle;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.store.IntakeStore;
import dev.offpeak.result.store.PipelineState;
import dev.offpeak.result.store.TaskState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
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
     * then puts the rest into one new batch.
     */
    Retried retry(Connection c, String batchId, Instant now) throws SQLException {
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
        String retryId = "b-" + shortHash(batchId + ":" + attempt) + "-a" + attempt;
        Db.update(c, """
                INSERT INTO batches (batch_id, lane, provider, endpoint, model, state, expected_count, expected_bytes,
                                     estimated_tokens, ids_checksum, close_reason, job_ids, opened_at, closed_at,
                                     next_attempt_at, created_at, updated_at)
                SELECT ?, b.lane, b.provider, b.endpoint, b.model, ?, ?,
                       (SELECT sum(q.line_bytes) FROM requests q WHERE q.request_id = ANY (?)),
                       (SELECT sum(q.estimated_tokens) FROM requests q WHERE q.request_id = ANY (?)),
                       ?, 'retry', b.job_ids, ?, ?, ?, ?, ?
                  FROM batches b WHERE b.batch_id = ?""",
                retryId, PipelineState.READY.db(), (long) ids.size(), new Db.TextArray(ids), new Db.TextArray(ids), IntakeStore.checksumOf(ids),
                now, now, now.plus(delay), now, now, batchId);
        Db.update(c, """
                INSERT INTO batch_items (batch_id, seq, request_id, task_id, tenant, attempt)
                SELECT ?, row_number() OVER (ORDER BY bi.seq) - 1, bi.request_id, bi.task_id, bi.tenant, ?
                  FROM batch_items bi JOIN results r ON r.batch_id = bi.batch_id AND r.request_id = bi.request_id
                 WHERE bi.batch_id = ? AND NOT r.final""", retryId, attempt, batchId);
        return new Retried(retryId, finalised);
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
