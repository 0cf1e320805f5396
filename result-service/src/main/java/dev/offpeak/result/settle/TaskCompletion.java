package dev.offpeak.result.settle;

import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.topics.Topics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Ends open tasks from the final results of their requests and writes each one's
 * {@code task.completed} event to the outbox, in the caller's transaction and in one statement.
 * The outbox row names the task; the relay composes the event from the task and its result when
 * it publishes ({@link dev.offpeak.result.events.TaskCompletedEvent}). A terminal task and its
 * result never change, so the event is the same on every publication, and settlement does not pay
 * for building JSON.
 * {@code WHERE status = 'accepted'} under the row lock of the UPDATE makes it exactly once per task
 * however many paths race to end it (settlement, a late duplicate's arrival, the sweeper).
 *
 * <p>Who pays: the task that brought the line (the batch item's task) pays its cost; every other
 * task sharing the answer costs nothing and records the synchronous price as saved.
 */
public final class TaskCompletion {

    /** Ends the open tasks of the requests settled in {@code batchId}. */
    public int fromBatch(Connection c, String batchId, Instant now) throws SQLException {
        // one result per request within a batch (primary key), so no DISTINCT ON is needed
        return complete(c, "SELECT", "r.batch_id = ?", batchId, now);
    }

    /** Ends the open tasks of these requests that already have a final result (a late duplicate's arrival). */
    public int forRequests(Connection c, java.util.Collection<String> requestIds, Instant now) throws SQLException {
        if (requestIds.isEmpty()) {
            return 0;
        }
        return complete(c, LATEST, "r.request_id = ANY (?)", new Db.TextArray(requestIds), now);
    }

    /** Ends every open task whose request already has a final result (late duplicates, lost races). */
    public int sweep(Connection c, Instant now) throws SQLException {
        return complete(c, LATEST, """
                r.request_id IN (SELECT t.request_id FROM tasks t WHERE t.status = 'accepted')""", null, now);
    }

    /** A request may have final results of several runs (after the dedup window): take the latest. */
    private static final String LATEST = "SELECT DISTINCT ON (r.request_id)";

    private int complete(Connection c, String select, String filter, Object param, Instant now) throws SQLException {
        String sql = """
                WITH r AS (
                    %s r.*, bi.task_id AS payer_task, bi.tenant AS payer_tenant
                      FROM results r
                      JOIN batch_items bi ON bi.batch_id = r.batch_id AND bi.request_id = r.request_id
                     WHERE r.final AND %s
                     %s
                ), done AS (
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
                           completed_at = ?
                      FROM r
                     WHERE t.request_id = r.request_id AND t.status = 'accepted'
                    RETURNING t.tenant, t.task_id
                )
                INSERT INTO outbox (event_id, topic, key, payload, created_at)
                SELECT 'tc-' || done.tenant || '-' || done.task_id, ?, done.task_id,
                       jsonb_build_object('tenant', done.tenant, 'task_id', done.task_id), ?
                  FROM done
                ON CONFLICT (event_id) DO NOTHING""".formatted(select, filter,
                select.equals(LATEST) ? "ORDER BY r.request_id, r.settled_at DESC" : "");
        return param == null
                ? Db.update(c, sql, now, Topics.TASK_COMPLETED.name(), now)
                : Db.update(c, sql, param, now, Topics.TASK_COMPLETED.name(), now);
    }
}
