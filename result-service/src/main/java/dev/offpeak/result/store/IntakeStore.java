package dev.offpeak.result.store;

import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the intake reads from Kafka. Every insert is {@code ON CONFLICT DO NOTHING}, so a
 * replay after a crash (offsets are committed only after this transaction) changes nothing.
 */
public final class IntakeStore {
    private static final Logger log = LoggerFactory.getLogger(IntakeStore.class);
    private static final String COLLECTING = PipelineState.COLLECTING.sql();

    public void writeAccepted(Connection c, List<TaskAccepted> tasks) throws SQLException {
        if (tasks.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO tasks (tenant, task_id, job_id, request_id, provider, model, endpoint, lane, duplicate,
                                   original_task_id, estimated_input_tokens, estimated_cost_usd, metadata, not_after,
                                   submitted_at, accepted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)
                ON CONFLICT (tenant, task_id) DO NOTHING""")) {
            for (TaskAccepted t : tasks) {
                int i = 1;
                ps.setString(i++, t.tenant());
                ps.setString(i++, t.taskId());
                ps.setString(i++, t.jobId());
                ps.setString(i++, t.requestId());
                ps.setString(i++, t.provider().id());
                ps.setString(i++, t.model());
                ps.setString(i++, t.endpoint());
                ps.setString(i++, t.lane());
                ps.setBoolean(i++, t.duplicate());
                ps.setString(i++, t.originalTaskId());
                ps.setLong(i++, t.estimatedInputTokens());
                ps.setBigDecimal(i++, t.estimatedCostUsd());
                ps.setString(i++, Json.write(t.metadata()));
                ps.setTimestamp(i++, ts(t.notAfter()));
                ps.setTimestamp(i++, ts(t.submittedAt()));
                ps.setTimestamp(i, ts(t.acceptedAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** A job seal; a repeated seal keeps the first one (its time and count). */
    public void writeJobs(Connection c, List<JobSealed> sealed) throws SQLException {
        for (JobSealed j : sealed) {
            Db.update(c, """
                    INSERT INTO jobs (tenant, job_id, task_count, sealed_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (tenant, job_id) DO NOTHING""", j.tenant(), j.jobId(), j.taskCount(), j.sealedAt());
        }
    }

    public void writeItems(Connection c, List<BatchItem> items, Instant now) throws SQLException {
        if (items.isEmpty()) {
            return;
        }
        try (PreparedStatement batches = c.prepareStatement("""
                INSERT INTO batches (batch_id, lane, provider, endpoint, model, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, %s, ?, ?) ON CONFLICT (batch_id) DO NOTHING""".formatted(COLLECTING));
             PreparedStatement requests = c.prepareStatement("""
                INSERT INTO requests (request_id, provider, endpoint, model, lane, line, line_bytes, estimated_tokens,
                                      first_tenant, first_task_id, created_at, prefix_fingerprint, prefix_tokens)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING""");
             PreparedStatement lines = c.prepareStatement("""
                INSERT INTO batch_items (batch_id, seq, request_id, task_id, tenant, attempt, mode_requested)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
            java.util.Set<String> seenBatches = new java.util.HashSet<>();
            for (BatchItem item : items) {
                if (seenBatches.add(item.batchId())) {
                    addBatchRow(batches, item.batchId(), item.lane(), item.provider().id(), item.endpoint(),
                            item.model(), now);
                }
                int i = 1;
                requests.setString(i++, item.requestId());
                requests.setString(i++, item.provider().id());
                requests.setString(i++, item.endpoint());
                requests.setString(i++, item.model());
                requests.setString(i++, item.lane());
                requests.setString(i++, item.line());
                requests.setLong(i++, item.lineBytes());
                requests.setLong(i++, item.estimatedTokens());
                requests.setString(i++, item.tenant());
                requests.setString(i++, item.taskId());
                requests.setTimestamp(i++, ts(now));
                requests.setString(i++, item.prefixFingerprint());
                requests.setLong(i, item.prefixTokens());
                requests.addBatch();
                i = 1;
                lines.setString(i++, item.batchId());
                lines.setLong(i++, item.seq());
                lines.setString(i++, item.requestId());
                lines.setString(i++, item.taskId());
                lines.setString(i++, item.tenant());
                lines.setInt(i++, item.attempt());
                lines.setString(i, item.mode() == null ? null : item.mode().id());
                lines.addBatch();
            }
            batches.executeBatch();
            requests.executeBatch();
            lines.executeBatch();
        }
    }

    public void writeMarkers(Connection c, List<BatchClosed> markers, Instant now) throws SQLException {
        for (BatchClosed m : markers) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO batches (batch_id, lane, provider, endpoint, model, state, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, %s, ?, ?) ON CONFLICT (batch_id) DO NOTHING""".formatted(COLLECTING))) {
                addBatchRow(ps, m.batchId(), m.lane(), m.provider().id(), m.endpoint(), m.model(), now);
                ps.executeBatch();
            }
            Db.update(c, """
                    UPDATE batches SET expected_count = ?, expected_bytes = ?, estimated_tokens = ?, ids_checksum = ?,
                           close_reason = ?, job_ids = ?, opened_at = ?, closed_at = ?, updated_at = ?
                     WHERE batch_id = ? AND expected_count IS NULL""",
                    m.itemCount(), m.bytes(), m.estimatedTokens(), m.idsChecksum(), m.closeReason().id(),
                    new Db.TextArray(m.jobIds()), m.openedAt(), m.closedAt(), now, m.batchId());
        }
    }

    /**
     * Moves batches whose marker has arrived and whose lines are all stored to {@code ready}. A
     * checksum that disagrees with the stored lines is recorded as a visible batch error; the
     * lines are still submitted, since each one is a valid accepted request.
     */
    public int markReady(Connection c, Collection<String> batchIds, Instant now) throws SQLException {
        int ready = 0;
        for (String batchId : batchIds) {
            List<String> checksum = Db.query(c, """
                    SELECT b.ids_checksum FROM batches b
                     WHERE b.batch_id = ? AND b.state = %s AND b.expected_count IS NOT NULL
                       AND b.expected_count = (SELECT count(*) FROM batch_items i WHERE i.batch_id = b.batch_id)"""
                    .formatted(COLLECTING), rs -> rs.getString(1), batchId);
            if (checksum.isEmpty()) {
                continue;
            }
            List<String> ids = Db.query(c, "SELECT request_id FROM batch_items WHERE batch_id = ? ORDER BY seq",
                    rs -> rs.getString(1), batchId);
            String actual = checksumOf(ids);
            String error = actual.equals(checksum.get(0)) ? null
                    : "ids_checksum mismatch: marker " + checksum.get(0) + ", stored lines " + actual;
            if (error != null) {
                log.error("batch {}: {}", batchId, error);
            }
            ready += Db.update(c, """
                    UPDATE batches SET state = %s, next_attempt_at = ?, updated_at = ?, last_error = ?
                     WHERE batch_id = ? AND state = %s""".formatted(PipelineState.READY.sql(), COLLECTING),
                    now, now, error, batchId);
        }
        return ready;
    }

    /** SHA-256 over the request ids in seq order, each followed by a newline (batch.closed schema). */
    public static String checksumOf(List<String> requestIds) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String id : requestIds) {
                digest.update(id.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void addBatchRow(PreparedStatement ps, String batchId, String lane, String provider,
            String endpoint, String model, Instant now) throws SQLException {
        ps.setString(1, batchId);
        ps.setString(2, lane);
        ps.setString(3, provider);
        ps.setString(4, endpoint);
        ps.setString(5, model);
        ps.setTimestamp(6, ts(now));
        ps.setTimestamp(7, ts(now));
        ps.addBatch();
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
