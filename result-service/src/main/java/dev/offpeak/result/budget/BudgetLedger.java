package dev.offpeak.result.budget;

import dev.offpeak.result.db.Db;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Replaces reservations by exact costs, in the settlement's transaction: every charge of a task that
 * paid for a final result of the batch gets the result's cost as spent, and its reservation goes. A
 * line that cost nothing (expired, cancelled, refused by the provider) releases its reservation. A
 * result that will be retried keeps its reservation until the retry's final result. So a budget's level
 * never counts a line twice and never loses one, whichever process dies when.
 */
public final class BudgetLedger {
    /** Settles the charges of {@code batchId}'s final results; returns how many it settled. */
    public static int settle(Connection c, String batchId, Instant now) throws SQLException {
        return Db.update(c, """
                UPDATE budget_charges ch
                   SET spent_usd = r.cost_usd, reserved_usd = 0, settled_at = ?,
                       state = CASE WHEN r.cost_usd = 0 THEN 'released' ELSE 'settled' END
                  FROM results r
                  JOIN batch_items bi ON bi.batch_id = r.batch_id AND bi.request_id = r.request_id
                 WHERE r.batch_id = ? AND r.final AND ch.tenant = bi.tenant AND ch.task_id = bi.task_id
                   AND ch.state = 'reserved'""", now, batchId);
    }

    private BudgetLedger() {}
}
