package dev.offpeak.result.completion;

import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.topics.Topics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Every write to the outbox, and the relay's reads of it. A row is one of three kinds:
 * <ul>
 *   <li>{@link Kind#EVENT}: the payload is the event (job.completed);</li>
 *   <li>{@link Kind#TASK}: the payload names one task whose task.completed the relay composes (a task
 *       ended on its arrival or by the check of a settled batch);</li>
 *   <li>{@link Kind#BATCH}: the payload names a settled batch; the row stands for the task.completed
 *       of every task its settlement ended ({@code tasks.announced_by_batch}).</li>
 * </ul>
 * Rows are written in the transaction of the change they announce; their {@code event_id} is stable,
 * so writing one twice is a no-op and a re-publication is recognisable.
 */
public final class OutboxStore {
    /** {@code outbox.kind}, its database value the lower-case name. */
    public enum Kind {
        EVENT,
        TASK,
        BATCH;

        String db() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A task, as outbox rows of kind {@code task} name it. */
    public record TaskKey(String tenant, String taskId) {}

    /** An unsent row; {@code batchId} is set for rows of kind {@code batch}. */
    record Row(long id, Kind kind, String topic, String key, String payload, String batchId) {}

    /** The event id of a task's task.completed, whichever row announces it. */
    static String taskEventId(String tenant, String taskId) {
        return "tc-" + tenant + "-" + taskId;
    }

    /** The event id of a job's job.completed. */
    static String jobEventId(String tenant, String jobId) {
        return "jc-" + tenant + "-" + jobId;
    }

    /** The row (kind {@code batch}) that announces every task the settlement of {@code batchId} ended. */
    static void announceBatch(Connection c, String batchId, Instant now) throws SQLException {
        Db.update(c, """
                INSERT INTO outbox (event_id, topic, key, payload, created_at, kind)
                VALUES (?, ?, ?, jsonb_build_object('batch_id', ?::text), ?, ?)
                ON CONFLICT (event_id) DO NOTHING""",
                "tcb-" + batchId, Topics.TASK_COMPLETED.name(), batchId, batchId, now, Kind.BATCH.db());
    }

    /** A row (kind {@code task}) for each of {@code tasks}. */
    static void announceTasks(Connection c, List<TaskKey> tasks, Instant now) throws SQLException {
        if (tasks.isEmpty()) {
            return;
        }
        Db.update(c, """
                INSERT INTO outbox (event_id, topic, key, payload, created_at, kind)
                SELECT k.event_id, ?, k.task_id, jsonb_build_object('tenant', k.tenant, 'task_id', k.task_id), ?, ?
                  FROM unnest(?::text[], ?::text[], ?::text[]) AS k (event_id, tenant, task_id)
                ON CONFLICT (event_id) DO NOTHING""",
                Topics.TASK_COMPLETED.name(), now, Kind.TASK.db(),
                new Db.TextArray(tasks.stream().map(t -> taskEventId(t.tenant(), t.taskId())).toList()),
                new Db.TextArray(tasks.stream().map(TaskKey::tenant).toList()),
                new Db.TextArray(tasks.stream().map(TaskKey::taskId).toList()));
    }

    /** A row (kind {@code event}) holding {@code json}, the event itself. */
    public static void event(Connection c, String eventId, String topic, String key, String json, Instant now)
            throws SQLException {
        Db.update(c, """
                INSERT INTO outbox (event_id, topic, key, payload, created_at, kind) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (event_id) DO NOTHING""", eventId, topic, key, new Db.Jsonb(json), now, Kind.EVENT.db());
    }

    /** Unsent rows, oldest first; claimed ({@code FOR UPDATE SKIP LOCKED}) when {@code claim}. */
    static List<Row> unsent(Connection c, int limit, boolean claim) throws SQLException {
        return Db.query(c, """
                SELECT o.id, o.kind, o.topic, o.key, o.payload::text, o.payload ->> 'batch_id'
                  FROM outbox o
                 WHERE o.sent_at IS NULL
                 ORDER BY o.id LIMIT ?""" + (claim ? " FOR UPDATE SKIP LOCKED" : ""),
                rs -> new Row(rs.getLong(1), Kind.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)),
                        rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)),
                limit);
    }

    static void markSent(Connection c, List<Row> rows, Instant now) throws SQLException {
        Db.update(c, "UPDATE outbox SET sent_at = ? WHERE id = ANY (?)", now,
                rows.stream().map(Row::id).toArray(Long[]::new));
    }

    private OutboxStore() {}
}
