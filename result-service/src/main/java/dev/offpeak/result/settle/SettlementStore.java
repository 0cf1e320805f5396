package dev.offpeak.result.settle;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.store.PipelineState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** The SQL of settlement besides the results' COPY: the batch's lines read, the batch marked settled. */
final class SettlementStore {
    /** A line of a batch: its attempt, and the task that brought it (which pays for its answer). */
    record Item(int attempt, String taskId, String tenant) {}

    /** request_id → item, for the lines of one batch that were sent (not refused by a budget). */
    static Map<String, Item> items(Connection c, String batchId) throws SQLException {
        Map<String, Item> items = new HashMap<>();
        for (var row : Db.query(c, """
                SELECT request_id, attempt, task_id, tenant FROM batch_items WHERE batch_id = ? AND refused IS NULL""",
                rs -> Map.entry(rs.getString(1), new Item(rs.getInt(2), rs.getString(3), rs.getString(4))), batchId)) {
            items.put(row.getKey(), row.getValue());
        }
        return items;
    }

    static void finishBatch(Connection c, String batchId, String providerStatus, String outputFileId,
            String errorFileId, SettledCounts counts, boolean mismatch, String error, Instant endedAt, Instant now)
            throws SQLException {
        Db.update(c, """
                UPDATE batches SET state = ?, provider_status = coalesce(?, provider_status),
                       output_file_id = ?, error_file_id = ?, submitted_count = expected_count - refused_count,
                       succeeded_count = ?, errored_count = ?, expired_count = ?, cancelled_count = ?,
                       count_mismatch = ?, last_error = ?, ended_at = coalesce(?::timestamptz, ?), settled_at = ?,
                       lease_owner = NULL, lease_until = NULL, updated_at = ?
                 WHERE batch_id = ?""",
                PipelineState.SETTLED.db(), providerStatus, outputFileId, errorFileId, counts.succeeded(), counts.errored(), counts.expired(),
                counts.cancelled(), mismatch, error, endedAt, now, now, now, batchId);
    }

    private SettlementStore() {}
}
