package dev.offpeak.result.read;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The overview tables of {@code offpeak status}, {@code jobs} and {@code costs}, from the analyst
 * views, in one place: the read API runs them for the token's tenant, the CLI with a database login
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
                + " sum(duplicates) AS duplicates, sum(cost_usd) AS billed_usd, sum(sync_cost_usd) AS list_price_usd,"
                + " sum(saved_usd) AS saved_usd, round(100 * sum(saved_usd) / nullif(sum(sync_cost_usd), 0), 1) AS saved_pct"
                + " FROM analytics.spend_daily" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " GROUP BY " + by.columns + " ORDER BY " + by.columns, params));
    }

    private static List<Object> params(Optional<String> tenant) {
        return tenant.<List<Object>>map(List::of).orElse(List.of());
    }
}
