package dev.offpeak.result.settle;

import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.topics.Topics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;

/**
 * Ends open tasks from the final results of their requests and makes their {@code task.completed}
 * events publishable, in the caller's transaction. The outbox rows only name what ended; the relay
 * composes each event from the task and its result when it publishes
 * ({@link dev.offpeak.result.events.TaskCompletedEvent}). A terminal task and its result never
 * change, so the event is the same on every publication, and settlement does not pay for building
 * JSON.
 *
 * <p>Settlement ends a whole batch's tasks at once and writes one outbox row for the batch (kind
 * {@code batch}); the tasks it ended are marked {@code announced_by_batch}, which is how the relay
 * finds them. A row per task would cost settlement about as much again as ending the tasks. The
 * other paths end a few tasks at a time and write a row per task (kind {@code task}).
 *
 * <p>{@code WHERE status = 'accepted'} under the row lock of the UPDATE makes it exactly once per task
 * however many paths race to end it (settlement, a late duplicate's arrival, the sweeper).
 *
 * <p>Who pays: the task that brought the line (the batch item's task) pays its cost; every other
 * task sharing the answer costs nothing and records the synchronous price as saved.
 */
public final class TaskCompletion {

    /**
     * Ends the open tasks of the requests settled in {@code batchId} and, when it ended any, writes
     * the batch's {@code task.completed} outbox row. Returns how many tasks it ended.
     */
    public int fromBatch(Connection c, String batchId, Instant now) throws SQLException {
        // one result per request within a batch (primary key), so no DISTINCT ON is needed
        int ended = Db.update(c, "WITH " + finalResults("SELECT", "r.batch_id = ?") + "\n" + endTasks(true),
                batchId, now);
        if (ended > 0) {
            Db.update(c, """
                    INSERT INTO outbox (event_id, topic, key, payload, created_at, kind)
                    VALUES ('tcb-' || ?, ?, ?, jsonb_build_object('batch_id', ?::text), ?, 'batch')
                    ON CONFLICT (event_id) DO NOTHING""", batchId, Topics.TASK_COMPLETED.name(), batchId, batchId, now);
        }
        return ended;
    }

    /** Ends the open tasks of these requests that already have a final result (a late duplicate's arrival). */
    public int forRequests(Connection c, Collection<String> requestIds, Instant now) throws SQLException {
        if (requestIds.isEmpty()) {
            return 0;
        }
        return Db.update(c, eachWithItsRow("r.request_id = ANY (?)"), new Db.TextArray(requestIds), now,
                Topics.TASK_COMPLETED.name(), now);
    }

    /** Ends every open task whose request already has a final result (late duplicates, lost races). */
    public int sweep(Connection c, Instant now) throws SQLException {
        return Db.update(c, eachWithItsRow("""
                r.request_id IN (SELECT t.request_id FROM tasks t WHERE t.status = 'accepted')"""), now,
                Topics.TASK_COMPLETED.name(), now);
    }

    /** A request may have final results of several runs (after the dedup window): take the latest. */
    private static final String LATEST = "SELECT DISTINCT ON (r.request_id)";

    /** The UPDATE ending tasks, with an outbox row of kind {@code task} per ended task. */
    private static String eachWithItsRow(String filter) {
        return """
                WITH %s, done AS (
                    %s
                    RETURNING t.tenant, t.task_id
                )
                INSERT INTO outbox (event_id, topic, key, payload, created_at, kind)
                SELECT 'tc-' || done.tenant || '-' || done.task_id, ?, done.task_id,
                       jsonb_build_object('tenant', done.tenant, 'task_id', done.task_id), ?, 'task'
                  FROM done
                ON CONFLICT (event_id) DO NOTHING""".formatted(finalResults(LATEST, filter), endTasks(false));
    }

    /** {@code r}: the final results that {@code filter} selects, each with the task that pays for it. */
    private static String finalResults(String select, String filter) {
        return """
                r AS (
                    %s r.*, bi.task_id AS payer_task, bi.tenant AS payer_tenant
                      FROM results r
                      JOIN batch_items bi ON bi.batch_id = r.batch_id AND bi.request_id = r.request_id
                     WHERE r.final AND %s
                     %s
                )""".formatted(select, filter, select.equals(LATEST) ? "ORDER BY r.request_id, r.settled_at DESC" : "");
    }

    /** Ends the open tasks of the results {@code r}. Parameter: the completion time. */
    private static String endTasks(boolean announcedByBatch) {
        return """
                UPDATE tasks t SET
                       status = CASE r.status WHEN 'errored' THEN 'failed' ELSE r.status END,
                       result_batch_id = r.batch_id,
                       cost_usd = CASE WHEN t.task_id = r.payer_task
                                        AND (r.payer_tenant IS NULL OR r.payer_tenant = t.tenant)
                                       THEN r.cost_usd ELSE 0 END,
                       sync_cost_usd = r.sync_cost_usd,
                       saved_usd = r.sync_cost_usd - CASE WHEN t.task_id = r.payer_task
                                        AND (r.payer_tenant IS NULL OR r.payer_tenant = t.tenant)
                                       THEN r.cost_usd ELSE 0 END,
                       error_code = r.error_code,
                       error_message = r.error_message,
                       completed_at = ?,
                       announced_by_batch = %s
                  FROM r
                 WHERE t.request_id = r.request_id AND t.status = 'accepted'""".formatted(announcedByBatch);
    }
}
