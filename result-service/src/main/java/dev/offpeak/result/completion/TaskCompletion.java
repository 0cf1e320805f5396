package dev.offpeak.result.completion;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.result.store.PipelineState;
import dev.offpeak.result.store.TaskState;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Ends open tasks from the final results of their requests, and writes what announces them. The
 * outbox rows only name what ended; the relay composes each event from the task and its result when
 * it publishes ({@link TaskCompletedEvents}). A terminal task and its result never change, so the
 * event is the same on every publication, and ending a task does not pay for building JSON.
 *
 * <p>Three paths end tasks, all through one UPDATE ({@link #END}):
 * <ul>
 *   <li>a settled batch's tasks, from the values settlement computed, in chunks on a connection of
 *       their own while settlement writes the results ({@link TaskEnding}, {@link #endChunk}); one
 *       outbox row (kind {@code batch}) then announces them all, and they are marked
 *       {@code announced_by_batch}, which is how the relay finds them;</li>
 *   <li>a late duplicate's task on arrival, from its request's stored final result
 *       ({@link #forArrivals}), which waits for a settlement of its request that is running;</li>
 *   <li>the check of each settled batch a delay after its settlement ({@link #checkSettled}): every
 *       task of a batch whose ending transaction was lost in a crash between the two commits.</li>
 * </ul>
 * The last two write an outbox row per task (kind {@code task}).
 *
 * <p>{@code WHERE status = 'accepted'} under the row lock of the UPDATE makes it exactly once per task
 * however many paths race to end it.
 */
public final class TaskCompletion {
    /** How long after its settlement a batch's tasks are checked: well past any ending transaction. */
    public static final Duration CHECK_DELAY = Duration.ofMinutes(1);
    /** Settled batches checked per call. */
    private static final int CHECK_LIMIT = 20;

    /**
     * What ending the tasks of one final result needs, as settlement computed it.
     *
     * @param outcome     the line's outcome; its tasks end with {@link LineOutcome#taskStatus()}
     * @param payerTask   the task that brought the line (the batch item's) and pays its cost
     * @param payerTenant its tenant; null for tasks without one
     */
    public record Ending(String requestId, LineOutcome outcome, BigDecimal costUsd, BigDecimal syncCostUsd,
            BigDecimal listCostUsd, String errorCode, String errorMessage, String payerTask, String payerTenant) {}

    /**
     * Who pays for a shared answer: the task that brought the line (the batch item's task, of its
     * tenant) pays its cost; every other task with the answer costs nothing and saves the whole price.
     */
    private static final String PAYER_COST = """
            CASE WHEN t.task_id = v.payer_task AND (v.payer_tenant IS NULL OR v.payer_tenant = t.tenant)
                 THEN v.cost_usd ELSE 0 END""";

    /**
     * The UPDATE that ends the open tasks of the final results {@code v} (a subquery with the columns
     * of {@link Ending}, {@code status} the task's, and {@code batch_id}). Parameters: the completion
     * time, whether the batch's row announces them, then the subquery's.
     */
    private static final String END = """
            UPDATE tasks t SET
                   status = v.status,
                   result_batch_id = v.batch_id,
                   cost_usd = %1$s,
                   sync_cost_usd = v.sync_cost_usd,
                   saved_usd = v.sync_cost_usd - %1$s,
                   list_cost_usd = v.list_cost_usd,
                   error_code = v.error_code,
                   error_message = v.error_message,
                   completed_at = ?,
                   announced_by_batch = ?
              FROM (%%s) AS v
             WHERE t.request_id = v.request_id AND t.status = %2$s""".formatted(PAYER_COST, TaskState.ACCEPTED.sql());

    /** Settlement's values of one chunk. Parameters: the batch, then one text[] per column. */
    private static final String CHUNK = """
            SELECT ?::text AS batch_id, u.*
              FROM unnest(?::text[], ?::text[], ?::text[]::numeric[], ?::text[]::numeric[], ?::text[]::numeric[],
                          ?::text[], ?::text[],
                          ?::text[], ?::text[])
                   AS u (request_id, status, cost_usd, sync_cost_usd, list_cost_usd, error_code, error_message, payer_task,
                         payer_tenant)""";

    /**
     * The latest final result per request that {@code filter} selects (a request may have final results
     * of several runs, after the dedup window), with the task that pays for it.
     */
    private static String finalResults(String filter) {
        return """
                SELECT DISTINCT ON (r.request_id) r.request_id, r.batch_id, %s AS status, r.cost_usd,
                       r.sync_cost_usd, r.list_cost_usd, r.error_code, r.error_message, bi.task_id AS payer_task,
                       bi.tenant AS payer_tenant
                  FROM results r
                  JOIN batch_items bi ON bi.batch_id = r.batch_id AND bi.request_id = r.request_id
                 WHERE r.final AND %s
                 ORDER BY r.request_id, r.settled_at DESC""".formatted(LineOutcome.taskStatusSql("r.status"), filter);
    }

    /**
     * Ends the open tasks of these results of {@code batchId}, marking them announced by the batch's
     * outbox row ({@link OutboxStore#announceBatch}). Returns how many tasks it ended.
     */
    static int endChunk(Connection c, String batchId, List<Ending> chunk, Instant now) throws SQLException {
        int n = chunk.size();
        String[] requestIds = new String[n];
        String[] statuses = new String[n];
        String[] costs = new String[n];
        String[] syncCosts = new String[n];
        String[] listCosts = new String[n];
        String[] codes = new String[n];
        String[] messages = new String[n];
        String[] payers = new String[n];
        String[] payerTenants = new String[n];
        for (int i = 0; i < n; i++) {
            Ending e = chunk.get(i);
            requestIds[i] = e.requestId();
            statuses[i] = e.outcome().taskStatus().id();
            // exact decimal text: numeric takes it digit for digit
            costs[i] = e.costUsd().toPlainString();
            syncCosts[i] = e.syncCostUsd().toPlainString();
            listCosts[i] = e.listCostUsd() == null ? null : e.listCostUsd().toPlainString();
            codes[i] = e.errorCode();
            messages[i] = e.errorMessage();
            payers[i] = e.payerTask();
            payerTenants[i] = e.payerTenant();
        }
        return Db.update(c, END.formatted(CHUNK), now, true, batchId, texts(c, requestIds), texts(c, statuses),
                texts(c, costs), texts(c, syncCosts), texts(c, listCosts), texts(c, codes), texts(c, messages), texts(c, payers),
                texts(c, payerTenants));
    }

    private static java.sql.Array texts(Connection c, String[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }

    /**
     * Ends the open tasks of these requests that already have a final result (a late duplicate's
     * arrival), in the intake's transaction that inserted them.
     *
     * <p>A settlement running at this moment is waited for first: the batches holding one of these
     * requests that may be settling are locked {@code FOR KEY SHARE}, which waits for the settlement's
     * {@code FOR UPDATE} of its batch row, held until it commits. Then either the settlement committed
     * before the tasks are looked for, and they end here from its results; or it had not started, and
     * it cannot start (its {@code FOR UPDATE} waits for this transaction) until these tasks are
     * committed, so the ending beside it sees and ends them. Without the wait a task inserted while
     * its request was settling was seen by neither, and waited for the check of the settled batch.
     */
    public int forArrivals(Connection c, Collection<String> requestIds, Instant now) throws SQLException {
        if (requestIds.isEmpty()) {
            return 0;
        }
        Db.query(c, """
                SELECT b.batch_id FROM batches b
                 WHERE b.state IN %s
                   AND b.batch_id IN (SELECT bi.batch_id FROM batch_items bi WHERE bi.request_id = ANY (?))
                 ORDER BY b.batch_id
                   FOR KEY SHARE OF b""".formatted(PipelineState.sql(PipelineState.SETTLEABLE)),
                rs -> rs.getString(1), new Db.TextArray(requestIds));
        return endEach(c, "r.request_id = ANY (?)", new Db.TextArray(requestIds), now);
    }

    /**
     * Ends every task still open of the final results of settled batch {@code batchId}, each with its
     * own row: when no ending ran beside its settlement (no second connection), or it failed.
     */
    public static int endSettled(Connection c, String batchId, Instant now) throws SQLException {
        return endEach(c, "r.batch_id = ?", batchId, now);
    }

    /**
     * Ends the open tasks of the requests of {@code batchId} that Offpeak refused to send (their
     * errored final results carry {@code errorCode}), in the transaction that refused them.
     */
    public static int endRefused(Connection c, String batchId, String errorCode, Instant now) throws SQLException {
        return endEach(c, "r.batch_id = ? AND r.error_code = '" + errorCode.replace("'", "''") + "'", batchId, now);
    }

    /**
     * Checks the settled batches whose settlement is at least the check delay old and not yet checked:
     * ends every task still open whose request has a final result in the batch (left open when the
     * ending transaction was lost), then marks the batch checked. Each batch is checked once. Returns
     * how many tasks it ended.
     */
    public int checkSettled(Connection c, Instant now) throws SQLException {
        List<String> due = Db.query(c, """
                SELECT batch_id FROM batches
                 WHERE state = %s AND tasks_checked_at IS NULL AND settled_at <= ?
                 ORDER BY settled_at LIMIT ? FOR UPDATE SKIP LOCKED""".formatted(PipelineState.SETTLED.sql()),
                rs -> rs.getString(1), now.minus(CHECK_DELAY), CHECK_LIMIT);
        int ended = 0;
        for (String batchId : due) {
            ended += endSettled(c, batchId, now);
            Db.update(c, "UPDATE batches SET tasks_checked_at = ? WHERE batch_id = ?", now, batchId);
        }
        return ended;
    }

    /** Ends the open tasks of the final results {@code filter} selects, each announced by its own row. */
    private static int endEach(Connection c, String filter, Object filterValue, Instant now) throws SQLException {
        List<OutboxStore.TaskKey> ended = Db.query(c, END.formatted(finalResults(filter))
                + " RETURNING t.tenant, t.task_id", rs -> new OutboxStore.TaskKey(rs.getString(1), rs.getString(2)),
                now, false, filterValue);
        OutboxStore.announceTasks(c, ended, now);
        return ended.size();
    }
}
