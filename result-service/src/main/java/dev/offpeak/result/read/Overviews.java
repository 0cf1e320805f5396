package dev.offpeak.result.read;

import dev.offpeak.result.budget.Budget;
import dev.offpeak.result.budget.BudgetStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The overview tables of {@code offpeak status}, {@code jobs} and {@code costs} (with its budgets),
 * from the analyst views, in one place: the read API runs them for the token's tenant, the CLI with a database login
 * for every tenant. Unscoped, they read only the {@code analytics} views, so an {@code offpeak_analyst}
 * login is enough; scoped to a tenant (the service's own login) the batches are those holding a line
 * of one of the tenant's tasks.
 */
public final class Overviews {
    /** Tasks by status, and the batches by state and provider with their oldest age and last error. */
    public record Status(String tenant, Table tasks, Table batches) {}

    /** One table, with the tenant it was read for (null: every tenant). */
    public record Tenanted(String tenant, Table table) {}

    /** The groupings of the costs table, each a fixed column list (never text from a request in SQL). */
    public enum CostsBy {
        tenant("tenant"), job("tenant, job_id"), model("provider, model"), day("day");

        private final String columns;

        CostsBy(String columns) {
            this.columns = columns;
        }
    }

    /** The columns of the budgets table of {@code offpeak costs}. */
    public static final List<Table.Column> BUDGET_COLUMNS = List.of(new Table.Column("budget", false),
            new Table.Column("scope", false), new Table.Column("period", false), new Table.Column("mode", false),
            new Table.Column("limit", true), new Table.Column("spent", true), new Table.Column("reserved", true),
            new Table.Column("left", true), new Table.Column("% used", true));

    private Overviews() {}

    public static Status status(Connection c, Optional<String> tenant) throws SQLException {
        Table tasks = Table.query(c, """
                SELECT status, count(*) AS tasks, count(*) FILTER (WHERE duplicate) AS duplicates,
                       coalesce(sum(cost_usd), 0) AS cost_usd
                  FROM analytics.task_costs""" + (tenant.isPresent() ? " WHERE tenant = ?" : "")
                + " GROUP BY status ORDER BY status", params(tenant));
        Table batches = Table.query(c, """
                SELECT state, provider, count(*) AS batches, sum(lines) AS lines,
                       round(max(seconds_in_state)) AS oldest_s, count(*) FILTER (WHERE count_mismatch) AS mismatches,
                       max(last_error) AS last_error
                  FROM analytics.batch_health""" + (tenant.isPresent() ? " WHERE batch_id IN (SELECT bi.batch_id"
                + " FROM batch_items bi JOIN tasks t ON t.request_id = bi.request_id WHERE t.tenant = ?)" : "")
                + " GROUP BY state, provider ORDER BY state, provider", params(tenant));
        return new Status(tenant.orElse(null), tasks, batches);
    }

    public static Tenanted jobs(Connection c, Optional<String> tenant) throws SQLException {
        return new Tenanted(tenant.orElse(null), Table.query(c, """
                SELECT tenant, job_id, state, tasks, open, succeeded, failed + expired + cancelled AS not_succeeded,
                       duplicates, cost_usd, saved_usd, first_submitted_at, completed_at
                  FROM analytics.job_status""" + (tenant.isPresent() ? " WHERE tenant = ?" : "")
                + " ORDER BY first_submitted_at DESC NULLS LAST, job_id", params(tenant)));
    }

    /** Spend and savings by {@code by}, of the days on or after {@code since} when given. */
    public static Tenanted costs(Connection c, Optional<String> tenant, CostsBy by, Optional<LocalDate> since)
            throws SQLException {
        List<Object> params = new ArrayList<>(params(tenant));
        List<String> where = new ArrayList<>();
        tenant.ifPresent(t -> where.add("tenant = ?"));
        since.ifPresent(day -> {
            where.add("day >= ?");
            params.add(day);
        });
        return new Tenanted(tenant.orElse(null), Table.query(c, "SELECT " + by.columns + ", sum(tasks) AS tasks,"
                + " sum(duplicates) AS duplicates, sum(cost_usd) AS billed_usd, sum(sync_cost_usd) AS sync_equivalent_usd,"
                + " sum(saved_usd) AS saved_usd, round(100 * sum(saved_usd) / nullif(sum(sync_cost_usd), 0), 1) AS saved_pct,"
                + " sum(list_cost_usd) AS list_usd, sum(saved_by_dedup_usd) AS by_dedup_usd,"
                + " sum(saved_by_caching_usd) AS by_caching_usd, sum(saved_by_batch_usd) AS by_batch_usd"
                + " FROM analytics.spend_daily" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " GROUP BY " + by.columns + " ORDER BY " + by.columns, params));
    }

    /**
     * Where each active budget stands in its current UTC period, from analytics.budget_standing, by
     * tenant and id: the budgets table of {@code offpeak costs} (see {@link #budgetTable}).
     */
    public static Tenanted budgets(Connection c, Optional<String> tenant) throws SQLException {
        List<BudgetStore.Standing> standings = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT budget_id, tenant, job_id, metadata_key, metadata_value, period, mode, limit_usd, period_start,
                       spent_usd, reserved_usd
                  FROM analytics.budget_standing""" + (tenant.isPresent() ? " WHERE tenant = ?" : "")
                + " ORDER BY tenant, budget_id")) {
            if (tenant.isPresent()) {
                ps.setString(1, tenant.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Budget b = new Budget(rs.getString("budget_id"), rs.getString("tenant"), rs.getString("job_id"),
                            rs.getString("metadata_key"), rs.getString("metadata_value"),
                            Budget.Period.of(rs.getString("period")), rs.getBigDecimal("limit_usd"),
                            Budget.Mode.of(rs.getString("mode")), List.of(), true);
                    standings.add(new BudgetStore.Standing(b, rs.getObject("period_start", OffsetDateTime.class)
                            .toInstant(), rs.getBigDecimal("spent_usd"), rs.getBigDecimal("reserved_usd")));
                }
            }
        }
        return new Tenanted(tenant.orElse(null), budgetTable(standings));
    }

    /**
     * Budget standings as one table, whoever read them (the view here, {@code GET /v1/budgets} in the
     * CLI), so both print the same cells: id, scope in words, period with its start date (UTC) for a
     * day or month, mode, then limit, spent, reserved and left in dollars with their exact digits
     * (trailing zeros stripped), and spent plus reserved in % of the limit to one decimal ({@code -}
     * for a limit of 0).
     */
    public static Table budgetTable(List<BudgetStore.Standing> standings) {
        return new Table(BUDGET_COLUMNS, standings.stream().map(s -> List.of(s.budget().budgetId(),
                s.budget().scope(), period(s), s.budget().mode().db(), usd(s.budget().limitUsd()), usd(s.spentUsd()),
                usd(s.reservedUsd()), usd(s.leftUsd()), used(s))).toList());
    }

    /** "day 2026-12-04", "month 2026-12-01", "none". */
    private static String period(BudgetStore.Standing s) {
        Budget.Period period = s.budget().period();
        return period == Budget.Period.NONE ? period.db()
                : period.db() + " " + LocalDate.ofInstant(s.periodStart(), ZoneOffset.UTC);
    }

    /** Spent plus reserved in % of the limit, to one decimal; "-" for a limit of 0. */
    private static String used(BudgetStore.Standing s) {
        BigDecimal limit = s.budget().limitUsd();
        if (limit.signum() == 0) {
            return "-";
        }
        return s.spentUsd().add(s.reservedUsd()).multiply(BigDecimal.valueOf(100))
                .divide(limit, 1, RoundingMode.HALF_UP).toPlainString();
    }

    private static String usd(BigDecimal usd) {
        return usd.stripTrailingZeros().toPlainString();
    }

    private static List<Object> params(Optional<String> tenant) {
        return tenant.<List<Object>>map(List::of).orElse(List.of());
    }
}
