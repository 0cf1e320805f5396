package dev.offpeak.result.store;

import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.pricing.Mode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A new pipeline batch made of some lines of an earlier one, ready at a given moment: the lines a
 * retry sends again, the lines a hold budget keeps for its next period, or the lines that ask
 * for another mode than the rest of their batch. It takes the earlier
 * batch's lane and jobs, its own size, token estimate and checksum from the lines it holds.
 */
public final class FollowUpBatches {
    /**
     * Writes batch {@code batchId} (state {@code ready}, due at {@code readyAt}) holding the lines of
     * {@code requestIds} of batch {@code from}, in their order there.
     *
     * @param attempt the attempt number of every line, or null to keep each line's own
     */
    public static void create(Connection c, String batchId, String from, List<String> requestIds, String closeReason,
            Integer attempt, Instant readyAt, Instant now) throws SQLException {
        create(c, batchId, from, requestIds, closeReason, attempt, readyAt, now, null);
    }

    /** As above, in {@code mode} (null: the earlier batch's). */
    public static void create(Connection c, String batchId, String from, List<String> requestIds, String closeReason,
            Integer attempt, Instant readyAt, Instant now, Mode mode) throws SQLException {
        Db.update(c, """
                INSERT INTO batches (batch_id, lane, provider, endpoint, model, state, expected_count, expected_bytes,
                                     estimated_tokens, ids_checksum, close_reason, job_ids, opened_at, closed_at,
                                     next_attempt_at, created_at, updated_at, mode)
                SELECT ?, b.lane, b.provider, b.endpoint, b.model, ?, ?,
                       (SELECT sum(q.line_bytes) FROM requests q WHERE q.request_id = ANY (?)),
                       (SELECT sum(q.estimated_tokens) FROM requests q WHERE q.request_id = ANY (?)),
                       ?, ?, b.job_ids, ?, ?, ?, ?, ?, coalesce(?::text, b.mode)
                  FROM batches b WHERE b.batch_id = ?""",
                batchId, PipelineState.READY.db(), (long) requestIds.size(), new Db.TextArray(requestIds),
                new Db.TextArray(requestIds), IntakeStore.checksumOf(requestIds), closeReason, now, now, readyAt, now,
                now, mode == null ? null : mode.name().toLowerCase(java.util.Locale.ROOT), from);
        Db.update(c, """
                INSERT INTO batch_items (batch_id, seq, request_id, task_id, tenant, attempt, mode_requested)
                SELECT ?, row_number() OVER (ORDER BY bi.seq) - 1, bi.request_id, bi.task_id, bi.tenant,
                       coalesce(?::int, bi.attempt), bi.mode_requested
                  FROM batch_items bi WHERE bi.batch_id = ? AND bi.request_id = ANY (?)""",
                batchId, attempt, from, new Db.TextArray(requestIds));
    }

    /**
     * Marks lines of {@code batchId} as not sent in it ({@code batch_items.refused}, the reason per
     * request id) and counts them on the batch: what a hard budget refuses, a hold budget keeps for later,
     * or a line asking another mode moves on.
     */
    public static void keepBack(Connection c, String batchId, Map<String, String> reasonByRequest) throws SQLException {
        if (reasonByRequest.isEmpty()) {
            return;
        }
        try (PreparedStatement mark = c.prepareStatement(
                "UPDATE batch_items SET refused = ? WHERE batch_id = ? AND request_id = ?")) {
            for (Map.Entry<String, String> line : reasonByRequest.entrySet()) {
                mark.setString(1, line.getValue());
                mark.setString(2, batchId);
                mark.setString(3, line.getKey());
                mark.addBatch();
            }
            mark.executeBatch();
        }
        Db.update(c, "UPDATE batches SET refused_count = refused_count + ? WHERE batch_id = ?", reasonByRequest.size(),
                batchId);
    }

    /** A follow-up batch's id, the same for the same {@code seed} on any replay: {@code b-<hash><suffix>}. */
    public static String id(String seed, String suffix) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return "b-" + HexFormat.of().formatHex(digest).substring(0, 24) + suffix;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private FollowUpBatches() {}
}
