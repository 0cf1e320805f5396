package dev.offpeak.result.read;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * How far a job is, for a progress bar: tasks the result service knows (accepted by the pipeline),
 * how many are in a batch, in a batch submitted to a provider, ended, and ended without success;
 * and the cost so far. All zero before the first task arrives (a job is polled from its first line).
 */
public record JobCounts(long known, long finished, long batched, long submitted, long failed, BigDecimal costUsd) {

    /** The counts of {@code jobId}, for one tenant or (null) every tenant. */
    public static JobCounts load(Connection c, String jobId, String tenant) throws SQLException {
        JobCounts[] counts = {null};
        // a duplicate is batched and submitted when the line of its request is
        JobReport.query(c, """
                SELECT count(*), count(*) FILTER (WHERE t.status <> 'accepted'),
                       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM batch_items bi WHERE bi.request_id = t.request_id)),
                       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM batch_items bi JOIN batches b ON b.batch_id = bi.batch_id
                                                       WHERE bi.request_id = t.request_id
                                                         AND b.state IN ('in_flight', 'settled'))),
                       count(*) FILTER (WHERE t.status IN ('failed', 'expired', 'cancelled')),
                       coalesce(sum(t.cost_usd), 0)
                  FROM tasks t WHERE\s""" + JobReport.WHERE, jobId, tenant,
                rs -> counts[0] = new JobCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5), rs.getBigDecimal(6)));
        return counts[0];
    }
}
