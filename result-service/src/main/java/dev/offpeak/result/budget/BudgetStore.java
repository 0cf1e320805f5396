package dev.offpeak.result.budget;

import dev.offpeak.result.db.Db;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Budgets as data: what the admin API and {@code offpeak budgets} read and write. */
public final class BudgetStore {
    private final Db db;

    public BudgetStore(Db db) {
        this.db = db;
    }

    /** A budget with where it stands in the period holding {@code now}. */
    public record Standing(Budget budget, Instant periodStart, BigDecimal spentUsd, BigDecimal reservedUsd) {
        public BigDecimal leftUsd() {
            BigDecimal left = budget.limitUsd().subtract(spentUsd).subtract(reservedUsd);
            return left.signum() < 0 ? BigDecimal.ZERO : left;
        }
    }

    /**
     * Creates or replaces budget {@code b} (a replaced budget keeps its ledger; the new limit applies
     * from the next admission). A budget id belongs to one tenant for good.
     *
     * @throws IllegalArgumentException when the id is taken by another tenant's budget
     */
    public Budget put(Budget b, Instant now) {
        return db.inTransaction(c -> {
            Array thresholds = c.createArrayOf("numeric", b.thresholds().toArray());
            // the WHERE of the conflict branch keeps a budget id with its tenant even when two tenants
            // create the same new id at the same moment: the second one's upsert changes no row
            int written = Db.update(c, """
                    INSERT INTO budgets (budget_id, tenant, job_id, metadata_key, metadata_value, period, limit_usd,
                                         mode, thresholds, active, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?, ?)
                    ON CONFLICT (budget_id) DO UPDATE SET job_id = excluded.job_id,
                           metadata_key = excluded.metadata_key, metadata_value = excluded.metadata_value,
                           period = excluded.period, limit_usd = excluded.limit_usd, mode = excluded.mode,
                           thresholds = excluded.thresholds, active = true, updated_at = excluded.updated_at
                     WHERE budgets.tenant = excluded.tenant""",
                    b.budgetId(), b.tenant(), b.jobId(), b.metadataKey(), b.metadataValue(), b.period().db(),
                    b.limitUsd(), b.mode().db(), thresholds, now, now);
            if (written == 0) {
                throw new IllegalArgumentException("budget_id " + b.budgetId() + " belongs to another tenant");
            }
            return Db.queryOne(c, "SELECT * FROM budgets WHERE budget_id = ?", BudgetStore::map, b.budgetId())
                    .orElseThrow();
        });
    }

    /** Stops applying budget {@code budgetId} (its ledger stays); false if there is none for {@code tenant}. */
    public boolean disable(String budgetId, String tenant, Instant now) {
        return db.update("UPDATE budgets SET active = false, updated_at = ? WHERE budget_id = ? AND tenant = ?",
                now, budgetId, tenant) == 1;
    }

    public Optional<Budget> find(String budgetId) {
        return db.queryOne("SELECT * FROM budgets WHERE budget_id = ?", BudgetStore::map, budgetId);
    }

    /** Active budgets (of {@code tenant}, or of every tenant when null) and where each stands now. */
    public List<Standing> standings(String tenant, Instant now) {
        List<Budget> budgets = db.query("""
                SELECT * FROM budgets WHERE active AND (?::text IS NULL OR tenant = ?) ORDER BY tenant, budget_id""",
                BudgetStore::map, tenant, tenant);
        if (budgets.isEmpty()) {
            return List.of();
        }
        // every budget's current period in one query: its start is computed here, as admission computes it
        List<String> ids = budgets.stream().map(Budget::budgetId).toList();
        List<Instant> starts = budgets.stream().map(b -> b.period().start(now)).toList();
        Map<String, BigDecimal[]> sums = new HashMap<>();
        db.inTransaction(c -> {
            Array startArray = c.createArrayOf("timestamptz",
                    starts.stream().map(java.sql.Timestamp::from).toArray());
            Db.query(c, """
                    SELECT ch.budget_id, sum(ch.spent_usd), sum(ch.reserved_usd)
                      FROM budget_charges ch
                      JOIN unnest(?::text[], ?::timestamptz[]) AS p (budget_id, period_start)
                        ON p.budget_id = ch.budget_id AND p.period_start = ch.period_start
                     GROUP BY ch.budget_id""",
                    rs -> sums.put(rs.getString(1), new BigDecimal[] {rs.getBigDecimal(2), rs.getBigDecimal(3)}),
                    new Db.TextArray(ids), startArray);
            return null;
        });
        List<Standing> standings = new ArrayList<>(budgets.size());
        for (int i = 0; i < budgets.size(); i++) {
            BigDecimal[] sum = sums.getOrDefault(ids.get(i), new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
            standings.add(new Standing(budgets.get(i), starts.get(i), sum[0], sum[1]));
        }
        return standings;
    }

    /** A level: spent plus reserved of {@code budgetId} in the period starting at {@code start}. */
    static BigDecimal level(Connection c, String budgetId, Instant start) throws SQLException {
        return Db.queryOne(c, """
                SELECT coalesce(sum(spent_usd + reserved_usd), 0) FROM budget_charges
                 WHERE budget_id = ? AND period_start = ?""", rs -> rs.getBigDecimal(1), budgetId, start)
                .orElse(BigDecimal.ZERO);
    }

    static Budget map(ResultSet rs) throws SQLException {
        BigDecimal[] thresholds = (BigDecimal[]) rs.getArray("thresholds").getArray();
        return new Budget(rs.getString("budget_id"), rs.getString("tenant"), rs.getString("job_id"),
                rs.getString("metadata_key"), rs.getString("metadata_value"), Budget.Period.of(rs.getString("period")),
                rs.getBigDecimal("limit_usd"), Budget.Mode.of(rs.getString("mode")), Arrays.asList(thresholds),
                rs.getBoolean("active"));
    }
}
