package dev.offpeak.result.settle;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.provider.ResultLine;
import dev.offpeak.schemas.topics.Topics;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Ends open tasks from the final results of their requests and makes their {@code task.completed}
 * events publishable. The outbox rows only name what ended; the relay composes each event from the
 * task and its result when it publishes ({@link dev.offpeak.result.events.TaskCompletedEvent}). A
 * terminal task and its result never change, so the event is the same on every publication, and
 * ending a task does not pay for building JSON.
 *
 * <p>Three paths end tasks:
 * <ul>
 *   <li>a settled batch's tasks, from the values settlement computed, in chunks on a connection of
 *       their own while settlement writes the results ({@link TaskEnding}, {@link #endChunk}); one
 *       outbox row (kind {@code batch}) then announces them all, and they are marked
 *       {@code announced_by_batch}, which is how the relay finds them;</li>
 *   <li>a late duplicate's task on arrival, from its request's stored final result
 *       ({@link #forRequests});</li>
 *   <li>the check of each settled batch a delay after its settlement ({@link #checkSettled}): a task
 *       accepted while its request was being settled, or every task of a batch whose ending
 *       transaction was lost in a crash between the two commits.</li>
 * </ul>
 * The last two write an outbox row per task (kind {@code task}).
 *
 * <p>{@code WHERE status = 'accepted'} under the row lock of the UPDATE makes it exactly once per task
 * however many paths race to end it.
 *
 * <p>Who pays: the task that brought the line (the batch item's task) pays its cost; every other
 * task sharing the answer costs nothing and records the synchronous price as saved.
 */
public final class TaskCompletion {
    /** How long after its settlement a batch's tasks are checked: well past any intake transaction. */
    public static final Duration CHECK_DELAY = Duration.ofMinutes(1);
    /** Settled batches checked per call. */
    private static final int CHECK_LIMIT = 20;

    /**
     * What ending the tasks of one final result needs, as settlement computed it.
     *
     * @param taskStatus  the tasks' terminal status (succeeded | failed | expired | cancelled)
     * @param payerTask   the task that brought the line (the batch item's) and pays its cost
     * @param payerTenant its tenant; null for tasks without one
     */
    public record Ending(String requestId, String taskStatus, BigDecimal costUsd, BigDecimal syncCostUsd,
            String errorCode, String errorMessage, String payerTask, String payerTenant) {}

    /** A task's terminal status for a line's outcome: the result's status, except errored → failed. */
    static String taskStatus(ResultLine.LineOutcome outcome) {
        return outcome == ResultLine.LineOutcome.ERRORED ? "failed" : SettlementStore.status(outcome);
    }

    /**
     * Ends the open tasks of these results of {@code batchId}, marking them announced by the batch's
     * outbox row ({@link #announceBatch}). Returns how many tasks it ended.
     */
    static int endChunk(Connection c, String batchId, List<Ending> chunk, Instant now) throws SQLException {
        int n = chunk.size();
        String[] requestIds = new String[n];
        String[] statuses = new String[n];
        String[] costs = new String[n];
        String[] syncCosts = new String[n];
        String[] codes = new String[n];
        String[] messages = new String[n];
        String[] payers = new String[n];
        String[] payerTenants = new String[n];
        for (int i = 0; i < n; i++) {
            Ending e = chunk.get(i);
            requestIds[i] = e.requestId();
            statuses[i] = e.taskStatus();
            // exact decimal text: numeric takes it digit for digit
            costs[i] = e.costUsd().toPlainString();
            syncCosts[i] = e.syncCostUsd().toPlainString();
            codes[i] = e.errorCode();
            messages[i] = e.errorMessage();
            payers[i] = e.payerTask();
            payerTenants[i] = e.payerTenant();
        }
        return Db.update(c, """
                UPDATE tasks t SET
                       status = v.status,
                       result_batch_id = ?,
                       cost_usd = CASE WHEN %1$s THEN v.cost_usd ELSE 0 END,
                       sync_cost_usd = v.sync_cost_usd,
                       saved_usd = v.sync_cost_usd - CASE WHEN %1$s THEN v.cost_usd ELSE 0 END,
                       error_code = v.error_code,
                       error_message = v.error_message,
                       completed_at = ?,
                       announced_by_batch = true
                  FROM unnest(?::text[], ?::text[], ?::text[]::numeric[], ?::text[]::numeric[], ?::text[], ?::text[],
                              ?::text[], ?::text[])
                       AS v (request_id, status, cost_usd, sync_cost_usd, error_code, error_message, payer_task,
                             payer_tenant)
                 WHERE t.request_id = v.request_id AND t.status = 'accepted'""".formatted(
                "t.task_id = v.payer_task AND (v.payer_tenant IS NULL OR v.payer_tenant = t.tenant)"),
                batchId, now, texts(c, requestIds), texts(c, statuses), texts(c, costs), texts(c, syncCosts),
                texts(c, codes), texts(c, messages), texts(c, payers), texts(c, payerTenants));
    }

    private static java.sql.Array texts(Connection c, String[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }

    /** The outbox row (kind {@code batch}) that announces every task {@link #endChunk} ended for the batch. */
    static void announceBatch(Connection c, String batchId, Instant now) throws SQLException {
        Db.update(c, """
                INSERT INTO outbox (event_id, topic, key, payload, created_at, kind)
                VALUES ('tcb-' || ?, ?, ?, jsonb_build_object('batch_id', ?::text), ?, 'batch')
                ON CONFLICT (event_id) DO NOTHING""", batchId, Topics.TASK_COMPLETED.name(), batchId, batchId, now);
    }

    /** Ends the open tasks of these requests that already have a final result (a late duplicate's arrival). */
    public int forRequests(Connection c, Collection<String> requestIds, Instant now) throws SQLException {
        if (requestIds.isEmpty()) {
            return 0;
        }
        return Db.update(c, eachWithItsRow("r.request_id = ANY (?)"), new Db.TextArray(requestIds), now,
                Topics.TASK_COMPLETED.name(), now);
    }

    /**
     * Checks the settled batches whose settlement is at least the check delay old and not yet checked:
     * ends every task still open whose request has a final result in the batch (accepted while the
     * batch was settling, or left open when the ending transaction was lost), then marks the batch
     * checked. Each batch is checked once. Returns how many tasks it ended.
     */
    public int checkSettled(Connection c, Instant now) throws SQLException {
        List<String> due = Db.query(c, """
                SELECT batch_id FROM batches
                 WHERE state = 'settled' AND tasks_checked_at IS NULL AND settled_at <= ?
                 ORDER BY settled_at LIMIT ? FOR UPDATE SKIP LOCKED""", rs -> rs.getString(1),
                now.minus(CHECK_DELAY), CHECK_LIMIT);
        int ended = 0;
        for (String batchId : due) {
            ended += Db.update(c, eachWithItsRow("r.batch_id = ?"), batchId, now, Topics.TASK_COMPLETED.name(), now);
            Db.update(c, "UPDATE batches SET tasks_checked_at = ? WHERE batch_id = ?", now, batchId);
        }
        return ended;
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
                ON CONFLICT (event_id) DO NOTHING""".formatted(finalResults(filter), END_TASKS);
    }

    /** {@code r}: the latest final result per request that {@code filter} selects, with the task that pays for it. */
    private static String finalResults(String filter) {
        return """
                r AS (
                    %s r.*, bi.task_id AS payer_task, bi.tenant AS payer_tenant
                      FROM results r
                      JOIN batch_items bi ON bi.batch_id = r.batch_id AND bi.request_id = r.request_id
                     WHERE r.final AND %s
                     ORDER BY r.request_id, r.settled_at DESC
                )""".formatted(LATEST, filter);
    }

    /** Ends the open tasks of the results {@code r}, each announced by its own row. Parameter: the completion time. */
    private static final String END_TASKS = """
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
                   announced_by_batch = false
              FROM r
             WHERE t.request_id = r.request_id AND t.status = 'accepted'""";
}
