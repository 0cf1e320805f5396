package dev.offpeak.result.read;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The cost report of one job, read from {@code tasks}, {@code results}, {@code batches} and
 * {@code batch_items} and nothing else: one row per provider and model, with totals that are the
 * sums of the rows. The read API answers it as JSON ({@code GET /v1/jobs/{job_id}/report}) and the
 * CLI prints it; both build it here, so a report read over HTTP and one read from the database are
 * the same report.
 *
 * @param tenant the tenant whose tasks it covers, or null for every tenant's tasks of the job
 */
public record JobReport(String jobId, String tenant, List<Row> rows, SortedMap<String, Long> batchesByProvider,
                        Turnaround turnaround) {

    /**
     * One provider and model. Money is exact (numeric in the database, BigDecimal here).
     * {@code inputTokens} counts every prompt token (results store uncached, cached and cache-write
     * tokens apart), so {@code cachedInputTokens / inputTokens} is the share read from cache.
     *
     * <p>Three figures of what the work costs: {@code listUsd} (every task's tokens at synchronous list
     * input / output rates, no cache, duplicates included: the work sent one by one),
     * {@code syncEquivalentUsd} (the same usage, cache hits and writes included, at synchronous rates)
     * and {@code billedUsd}. What separates list from billed, split so the parts add up to
     * {@code listUsd - billedUsd}: {@code savedByDedupUsd} (the list cost of duplicates, which paid
     * nothing), {@code savedByCachingUsd} (list minus sync-equivalent of the tasks that paid) and
     * {@code savedByBatchUsd} (sync-equivalent minus billed of the tasks that paid). A negative batch
     * part means the batch cost more than synchronous calls with the same cache hits would have: the
     * batch tier bills this model's cache hits at its batch input rate ({@link #batchDearerThanSync}).
     *
     * <p>{@code linesByMode}: the lines that ran (every attempt) per mode, {@code batch}, {@code flex},
     * {@code sync}; {@code rescueCostUsd}: what the lines that ran by flex or sync cost over what the
     * same usage would have cost in a batch (the price of meeting the deadline).
     */
    public record Row(String provider, String model, long tasks, long uniqueRequests, long duplicates, long open,
                      SortedMap<String, Long> tasksByStatus, SortedMap<String, Long> linesByStatus, BigDecimal billedUsd,
                      BigDecimal syncEquivalentUsd, BigDecimal savedUsd, long inputTokens, long cachedInputTokens,
                      BigDecimal listUsd, BigDecimal savedByDedupUsd, BigDecimal savedByCachingUsd,
                      BigDecimal savedByBatchUsd, SortedMap<String, Long> linesByMode, BigDecimal rescueCostUsd) {
        public Row {
            linesByMode = sorted(linesByMode);
            rescueCostUsd = zeroIfAbsent(rescueCostUsd);
            tasksByStatus = sorted(tasksByStatus);
            linesByStatus = sorted(linesByStatus);
            listUsd = zeroIfAbsent(listUsd);
            savedByDedupUsd = zeroIfAbsent(savedByDedupUsd);
            savedByCachingUsd = zeroIfAbsent(savedByCachingUsd);
            savedByBatchUsd = zeroIfAbsent(savedByBatchUsd);
        }

        /** The batch cost more than synchronous calls with the same cache hits: not the cheapest lane here. */
        public boolean batchDearerThanSync() {
            return savedByBatchUsd.signum() < 0;
        }
    }

    private static BigDecimal zeroIfAbsent(BigDecimal value) {
        return value == null ? BigDecimal.ZERO : value;
    }

    /** Seconds from submission to completion: median, 95th percentile, and first submission to last completion. */
    public record Turnaround(double p50Seconds, double p95Seconds, double wallSeconds) {}

    /** SQL condition on {@code tasks t}: the job, and the tenant unless it is null (three parameters). */
    static final String WHERE = "t.job_id = ? AND (?::text IS NULL OR t.tenant = ?::text)";

    public JobReport {
        rows = List.copyOf(rows);
        batchesByProvider = sorted(batchesByProvider);
    }

    /** The report of {@code jobId}, for one tenant or (null) every tenant; no rows when no task is known. */
    public static JobReport load(Connection c, String jobId, String tenant) throws SQLException {
        Map<String, Map<String, Long>> lines = new TreeMap<>();
        Map<String, long[]> tokens = new TreeMap<>();
        query(c, """
                SELECT q.provider, q.model, r.status, count(*),
                       coalesce(sum(r.input_tokens + r.cached_input_tokens + r.cache_write_5m_tokens
                                    + r.cache_write_1h_tokens), 0),
                       coalesce(sum(r.cached_input_tokens), 0)
                  FROM results r
                  JOIN (SELECT DISTINCT t.request_id, t.provider, t.model FROM tasks t WHERE %s) q USING (request_id)
                 GROUP BY 1, 2, 3""".formatted(WHERE), jobId, tenant, rs -> {
                    String key = rs.getString(1) + "/" + rs.getString(2);
                    lines.computeIfAbsent(key, k -> new TreeMap<>()).put(rs.getString(3), rs.getLong(4));
                    long[] t = tokens.computeIfAbsent(key, k -> new long[2]);
                    t[0] += rs.getLong(5);
                    t[1] += rs.getLong(6);
                });
        Map<String, Map<String, Long>> modes = new TreeMap<>();
        Map<String, BigDecimal> rescue = new TreeMap<>();
        query(c, """
                SELECT q.provider, q.model, r.mode, count(*),
                       coalesce(sum(r.cost_usd - r.batch_cost_usd) FILTER (WHERE r.mode <> 'batch'), 0)
                  FROM results r
                  JOIN (SELECT DISTINCT t.request_id, t.provider, t.model FROM tasks t WHERE %s) q USING (request_id)
                 GROUP BY 1, 2, 3""".formatted(WHERE), jobId, tenant, rs -> {
                    String key = rs.getString(1) + "/" + rs.getString(2);
                    modes.computeIfAbsent(key, k -> new TreeMap<>()).put(rs.getString(3), rs.getLong(4));
                    rescue.merge(key, rs.getBigDecimal(5), BigDecimal::add);
                });
        Map<String, Row> rows = new TreeMap<>();
        query(c, """
                SELECT t.provider, t.model, count(*), count(DISTINCT t.request_id), count(*) FILTER (WHERE t.duplicate),
                       count(*) FILTER (WHERE t.status = 'accepted'),
                       count(*) FILTER (WHERE t.status = 'succeeded'), count(*) FILTER (WHERE t.status = 'failed'),
                       count(*) FILTER (WHERE t.status = 'expired'), count(*) FILTER (WHERE t.status = 'cancelled'),
                       coalesce(sum(t.cost_usd), 0), coalesce(sum(t.sync_cost_usd), 0), coalesce(sum(t.saved_usd), 0),
                       coalesce(sum(t.list_cost_usd), 0),
                       coalesce(sum(t.list_cost_usd) FILTER (WHERE t.duplicate), 0),
                       coalesce(sum(t.list_cost_usd - t.sync_cost_usd) FILTER (WHERE NOT t.duplicate), 0),
                       coalesce(sum(t.sync_cost_usd - t.cost_usd) FILTER (WHERE NOT t.duplicate), 0)
                  FROM tasks t WHERE %s GROUP BY 1, 2""".formatted(WHERE), jobId, tenant, rs -> {
                    String key = rs.getString(1) + "/" + rs.getString(2);
                    Map<String, Long> byStatus = Map.of("succeeded", rs.getLong(7),
                            "failed", rs.getLong(8), "expired", rs.getLong(9), "cancelled", rs.getLong(10));
                    long[] t = tokens.getOrDefault(key, new long[2]);
                    rows.put(key, new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), new TreeMap<>(byStatus), new TreeMap<>(lines.getOrDefault(key, Map.of())),
                            rs.getBigDecimal(11), rs.getBigDecimal(12), rs.getBigDecimal(13), t[0], t[1],
                            rs.getBigDecimal(14), rs.getBigDecimal(15), rs.getBigDecimal(16), rs.getBigDecimal(17),
                            new TreeMap<>(modes.getOrDefault(key, Map.of())), rescue.getOrDefault(key, BigDecimal.ZERO)));
                });
        SortedMap<String, Long> batches = new TreeMap<>();
        query(c, """
                SELECT b.provider, count(DISTINCT b.batch_id)
                  FROM batches b JOIN batch_items bi ON bi.batch_id = b.batch_id
                 WHERE bi.request_id IN (SELECT t.request_id FROM tasks t WHERE %s)
                 GROUP BY 1""".formatted(WHERE), jobId, tenant, rs -> batches.put(rs.getString(1), rs.getLong(2)));
        Turnaround[] turnaround = {new Turnaround(0, 0, 0)};
        query(c, """
                SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY s), 0),
                       coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY s), 0),
                       coalesce(extract(epoch FROM max(done) - min(start)), 0)
                  FROM (SELECT extract(epoch FROM t.completed_at - coalesce(t.submitted_at, t.accepted_at)) AS s,
                               t.completed_at AS done, coalesce(t.submitted_at, t.accepted_at) AS start
                          FROM tasks t WHERE %s AND t.completed_at IS NOT NULL) x""".formatted(WHERE), jobId, tenant,
                rs -> turnaround[0] = new Turnaround(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3)));
        return new JobReport(jobId, tenant, List.copyOf(rows.values()), batches, turnaround[0]);
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

    public BigDecimal billedUsd() {
        return total(Row::billedUsd);
    }

    public BigDecimal syncEquivalentUsd() {
        return total(Row::syncEquivalentUsd);
    }

    public BigDecimal savedUsd() {
        return total(Row::savedUsd);
    }

    public BigDecimal listUsd() {
        return total(Row::listUsd);
    }

    public BigDecimal savedByDedupUsd() {
        return total(Row::savedByDedupUsd);
    }

    public BigDecimal savedByCachingUsd() {
        return total(Row::savedByCachingUsd);
    }

    public BigDecimal savedByBatchUsd() {
        return total(Row::savedByBatchUsd);
    }

    public BigDecimal rescueCostUsd() {
        return total(Row::rescueCostUsd);
    }

    public SortedMap<String, Long> linesByMode() {
        return merged(Row::linesByMode);
    }

    public SortedMap<String, Long> linesByStatus() {
        return merged(Row::linesByStatus);
    }

    public SortedMap<String, Long> tasksByStatus() {
        return merged(Row::tasksByStatus);
    }

    public long inputTokens() {
        return rows.stream().mapToLong(Row::inputTokens).sum();
    }

    public long cachedInputTokens() {
        return rows.stream().mapToLong(Row::cachedInputTokens).sum();
    }

    private SortedMap<String, Long> merged(java.util.function.Function<Row, SortedMap<String, Long>> counts) {
        SortedMap<String, Long> total = new TreeMap<>();
        rows.forEach(r -> counts.apply(r).forEach((k, n) -> total.merge(k, n, Long::sum)));
        return total;
    }

    private BigDecimal total(java.util.function.Function<Row, BigDecimal> money) {
        return rows.stream().map(money).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static SortedMap<String, Long> sorted(Map<String, Long> map) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(map == null ? Map.of() : map));
    }

    @FunctionalInterface
    interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    static void query(Connection c, String sql, String jobId, String tenant, RowReader reader) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, jobId);
            ps.setString(2, tenant);
            ps.setString(3, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        }
    }
}
