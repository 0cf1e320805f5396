package dev.offpeak.result.settle;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.provider.ResultLine;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** The SQL of settlement: result rows in multi-row batches, then tasks and the batch in set-based updates. */
final class SettlementStore {
    /** request_id → attempt, for the lines of one batch. */
    static Map<String, Integer> items(Connection c, String batchId) throws SQLException {
        Map<String, Integer> items = new HashMap<>();
        for (var row : Db.query(c, "SELECT request_id, attempt FROM batch_items WHERE batch_id = ?",
                rs -> Map.entry(rs.getString(1), rs.getInt(2)), batchId)) {
            items.put(row.getKey(), row.getValue());
        }
        return items;
    }

    static String status(ResultLine.LineOutcome outcome) {
        return switch (outcome) {
            case SUCCEEDED -> "succeeded";
            case ERRORED -> "errored";
            case EXPIRED -> "expired";
            case CANCELLED -> "cancelled";
        };
    }

    /**
     * Ends every open task of every request settled in this batch: the original and all its
     * duplicates. Under the {@code first} policy the task that brought the line pays; every other
     * task sharing the answer costs nothing and records the whole synchronous cost as saved.
     */
    static int completeTasks(Connection c, String batchId, Instant now) throws SQLException {
        return Db.update(c, """
                UPDATE tasks t SET
                       status = CASE r.status WHEN 'errored' THEN 'failed' ELSE r.status END,
                       result_batch_id = r.batch_id,
                       cost_usd = CASE WHEN t.task_id = r.payer_task AND (r.payer_tenant IS NULL OR r.payer_tenant = t.tenant) THEN r.cost_usd ELSE 0 END,
                       sync_cost_usd = r.sync_cost_usd,
                       saved_usd = r.sync_cost_usd - CASE WHEN t.task_id = r.payer_task AND (r.payer_tenant IS NULL OR r.payer_tenant = t.tenant) THEN r.cost_usd ELSE 0 END,
                       error_code = r.error_code,
                       error_message = r.error_message,
                       completed_at = ?
                  FROM (SELECT r.*, bi.task_id AS payer_task, bi.tenant AS payer_tenant
                          FROM results r
                          JOIN batch_items bi ON bi.batch_id = r.batch_id AND bi.request_id = r.request_id
                         WHERE r.batch_id = ?) r
                 WHERE t.request_id = r.request_id AND t.status = 'accepted'""", now, batchId);
    }

    static void finishBatch(Connection c, String batchId, String providerStatus, String outputFileId,
            String errorFileId, SettledCounts counts, boolean mismatch, String error, Instant endedAt, Instant now)
            throws SQLException {
        Db.update(c, """
                UPDATE batches SET state = 'settled', provider_status = coalesce(?, provider_status),
                       output_file_id = ?, error_file_id = ?, submitted_count = expected_count,
                       succeeded_count = ?, errored_count = ?, expired_count = ?, cancelled_count = ?,
                       count_mismatch = ?, last_error = ?, ended_at = coalesce(?::timestamptz, ?), settled_at = ?,
                       lease_owner = NULL, lease_until = NULL, updated_at = ?
                 WHERE batch_id = ?""",
                providerStatus, outputFileId, errorFileId, counts.succeeded(), counts.errored(), counts.expired(),
                counts.cancelled(), mismatch, error, endedAt, now, now, now, batchId);
    }

    private SettlementStore() {}
}
