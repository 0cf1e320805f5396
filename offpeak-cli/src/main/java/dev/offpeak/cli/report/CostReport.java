package dev.offpeak.cli.report;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cost report of a job, read from PostgreSQL (tasks, results, batches, batch_items) and
 * nothing else: per provider and model, with totals that are the sums of the rows.
 */
public record CostReport(JobScope scope, List<Row> rows, Map<String, Long> batchesByProvider,
                         Turnaround turnaround) {

    /**
     * One provider and model. Money is exact (numeric in the database, BigDecimal here).
     * {@code inputTokens} counts every prompt token (results store uncached, cached and cache-write
     * tokens apart), so {@code cachedInputTokens / inputTokens} is the share read from cache.
     */
    public record Row(String provider, String model, long tasks, long uniqueRequests, long duplicates, long open,
                      Map<String, Long> tasksByStatus, Map<String, Long> linesByStatus, BigDecimal billed,
                      BigDecimal syncEquivalent, BigDecimal saved, long inputTokens, long cachedInputTokens) {}

    /** Seconds from submission to completion: median, 95th percentile, and first submission to last completion. */
    public record Turnaround(double p50Seconds, double p95Seconds, double wallSeconds) {}

    public static CostReport load(Connection c, JobScope scope) throws SQLException {
        Map<String, Row> rows = new TreeMap<>();
        Map<String, Map<String, Long>> lines = new TreeMap<>();
        Map<String, long[]> tokens = new TreeMap<>();
        query(c, """
                SELECT q.provider, q.model, r.status, count(*),
                       coalesce(sum(r.input_tokens + r.cached_input_tokens + r.cache_write_5m_tokens
                                    + r.cache_write_1h_tokens), 0),
                       coalesce(sum(r.cached_input_tokens), 0)
                  FROM results r
                  JOIN (SELECT DISTINCT t.request_id, t.provider, t.model FROM tasks t WHERE %s) q USING (request_id)
                 GROUP BY 1, 2, 3""".formatted(JobScope.WHERE), scope, rs -> {
                    String key = rs.getString(1) + "/" + rs.getString(2);
                    lines.computeIfAbsent(key, k -> new TreeMap<>()).put(rs.getString(3), rs.getLong(4));
                    long[] t = tokens.computeIfAbsent(key, k -> new long[2]);
                    t[0] += rs.getLong(5);
                    t[1] += rs.getLong(6);
                });
        query(c, """
                SELECT t.provider, t.model, count(*), count(DISTINCT t.request_id), count(*) FILTER (WHERE t.duplicate),
                       count(*) FILTER (WHERE t.status = 'accepted'),
                       count(*) FILTER (WHERE t.status = 'succeeded'), count(*) FILTER (WHERE t.status = 'failed'),
                       count(*) FILTER (WHERE t.status = 'expired'), count(*) FILTER (WHERE t.status = 'cancelled'),
                       coalesce(sum(t.cost_usd), 0), coalesce(sum(t.sync_cost_usd), 0), coalesce(sum(t.saved_usd), 0)
                  FROM tasks t WHERE %s GROUP BY 1, 2""".formatted(JobScope.WHERE), scope, rs -> {
                    String key = rs.getString(1) + "/" + rs.getString(2);
                    Map<String, Long> byStatus = new TreeMap<>(Map.of("succeeded", rs.getLong(7),
                            "failed", rs.getLong(8), "expired", rs.getLong(9), "cancelled", rs.getLong(10)));
                    long[] t = tokens.getOrDefault(key, new long[2]);
                    rows.put(key, new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), byStatus, lines.getOrDefault(key, Map.of()), rs.getBigDecimal(11),
                            rs.getBigDecimal(12), rs.getBigDecimal(13), t[0], t[1]));
                });
        Map<String, Long> batches = new TreeMap<>();
        query(c, """
                SELECT b.provider, count(DISTINCT b.batch_id)
                  FROM batches b JOIN batch_items bi ON bi.batch_id = b.batch_id
                 WHERE bi.request_id IN (SELECT t.request_id FROM tasks t WHERE %s)
                 GROUP BY 1""".formatted(JobScope.WHERE), scope, rs -> batches.put(rs.getString(1), rs.getLong(2)));
        Turnaround[] turnaround = {new Turnaround(0, 0, 0)};
        query(c, """
                SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY s), 0),
                       coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY s), 0),
                       coalesce(extract(epoch FROM max(done) - min(start)), 0)
                  FROM (SELECT extract(epoch FROM t.completed_at - coalesce(t.submitted_at, t.accepted_at)) AS s,
                               t.completed_at AS done, coalesce(t.submitted_at, t.accepted_at) AS start
                          FROM tasks t WHERE %s AND t.completed_at IS NOT NULL) x""".formatted(JobScope.WHERE), scope,
                rs -> turnaround[0] = new Turnaround(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3)));
        return new CostReport(scope, List.copyOf(rows.values()), batches, turnaround[0]);
    }

    public long tasks() {
        return rows.stream().mapToLong(Row::tasks).sum();
    }

    public long uniqueRequests() {
        return rows.stream().mapToLong(Row::uniqueRequests).sum();
    }

    public long duplicates() {
        return rows.stream().mapToLong(Row::duplicates).sum();
    }

    public long open() {
        return rows.stream().mapToLong(Row::open).sum();
    }

    public BigDecimal billed() {
        return rows.stream().map(Row::billed).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public BigDecimal syncEquivalent() {
        return rows.stream().map(Row::syncEquivalent).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public BigDecimal saved() {
        return rows.stream().map(Row::saved).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public Map<String, Long> linesByStatus() {
        Map<String, Long> total = new TreeMap<>();
        rows.forEach(r -> r.linesByStatus().forEach((s, n) -> total.merge(s, n, Long::sum)));
        return total;
    }

    public Map<String, Long> tasksByStatus() {
        Map<String, Long> total = new TreeMap<>();
        rows.forEach(r -> r.tasksByStatus().forEach((s, n) -> total.merge(s, n, Long::sum)));
        return total;
    }

    public long inputTokens() {
        return rows.stream().mapToLong(Row::inputTokens).sum();
    }

    public long cachedInputTokens() {
        return rows.stream().mapToLong(Row::cachedInputTokens).sum();
    }

    @FunctionalInterface
    interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private static void query(Connection c, String sql, JobScope scope, RowReader reader) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            scope.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        }
    }
}
