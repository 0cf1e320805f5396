package dev.offpeak.result.completion;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.store.TaskState;
import dev.offpeak.schemas.events.JobCompleted;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.topics.Topics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * Completes sealed jobs whose tasks are all terminal (and, when the seal said how many tasks the
 * job holds, all of them have arrived): marks the job and writes its {@code job.completed} event
 * with the totals in one transaction, exactly once per job.
 */
public final class JobCompleter {
    private static final String NO_OPEN_TASK = """
            NOT EXISTS (SELECT 1 FROM tasks t WHERE t.tenant = j.tenant AND t.job_id = j.job_id
                          AND t.status = %s)""".formatted(TaskState.ACCEPTED.sql());

    private final Db db;
    private final InstantSource clock;

    public JobCompleter(Db db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Completes every job that is ready; returns how many. */
    public int completeOnce() {
        List<String[]> ready = db.query("""
                SELECT j.tenant, j.job_id FROM jobs j
                 WHERE j.completed_at IS NULL AND %s
                   AND (j.task_count IS NULL OR j.task_count <= (SELECT count(*) FROM tasks t
                                                                  WHERE t.tenant = j.tenant AND t.job_id = j.job_id))
                 LIMIT 100""".formatted(NO_OPEN_TASK), rs -> new String[] {rs.getString(1), rs.getString(2)});
        int completed = 0;
        for (String[] job : ready) {
            completed += complete(job[0], job[1]);
        }
        return completed;
    }

    private int complete(String tenant, String jobId) {
        Instant now = clock.instant();
        return db.inTransaction(c -> {
            int marked = Db.update(c, """
                    UPDATE jobs j SET completed_at = ? WHERE tenant = ? AND job_id = ? AND completed_at IS NULL
                       AND %s""".formatted(NO_OPEN_TASK), now, tenant, jobId);
            if (marked == 0) {
                return 0; // another replica completed it, or a task arrived meanwhile
            }
            JobCompleted event = totals(c, tenant, jobId).orElseThrow();
            OutboxStore.event(c, event.eventId(), Topics.JOB_COMPLETED.name(), jobId, Json.write(event), now);
            return 1;
        });
    }

    /** The job.completed of a completed job, with the totals of its tasks. */
    private static Optional<JobCompleted> totals(Connection c, String tenant, String jobId) throws SQLException {
        java.util.Map<String, Long> modes = new java.util.TreeMap<>();
        java.math.BigDecimal[] rescue = {java.math.BigDecimal.ZERO};
        for (Object[] row : Db.query(c, """
                SELECT r.mode, count(*), coalesce(sum(r.cost_usd - r.batch_cost_usd) FILTER (WHERE r.mode <> 'batch'), 0)
                  FROM results r
                 WHERE r.request_id IN (SELECT t.request_id FROM tasks t WHERE t.tenant = ? AND t.job_id = ?)
                 GROUP BY r.mode""", rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getBigDecimal(3)},
                tenant, jobId)) {
            modes.put((String) row[0], (Long) row[1]);
            rescue[0] = rescue[0].add((java.math.BigDecimal) row[2]);
        }
        return Db.queryOne(c, """
                SELECT count(t.task_id),
                       count(t.task_id) FILTER (WHERE t.status = ?), count(t.task_id) FILTER (WHERE t.status = ?),
                       count(t.task_id) FILTER (WHERE t.status = ?), count(t.task_id) FILTER (WHERE t.status = ?),
                       count(t.task_id) FILTER (WHERE t.duplicate),
                       coalesce(sum(t.cost_usd), 0), coalesce(sum(t.sync_cost_usd), 0), coalesce(sum(t.saved_usd), 0),
                       min(t.submitted_at), j.sealed_at, j.completed_at
                  FROM jobs j LEFT JOIN tasks t ON t.tenant = j.tenant AND t.job_id = j.job_id
                 WHERE j.tenant = ? AND j.job_id = ?
                 GROUP BY j.tenant, j.job_id, j.sealed_at, j.completed_at""",
                rs -> new JobCompleted(OutboxStore.jobEventId(tenant, jobId), jobId, tenant, rs.getLong(1),
                        rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                        rs.getBigDecimal(7), rs.getBigDecimal(8), rs.getBigDecimal(9), TaskCompletedEvents.instant(rs.getTimestamp(10)),
                        TaskCompletedEvents.instant(rs.getTimestamp(11)),
                        TaskCompletedEvents.instant(rs.getTimestamp(12)), modes, rescue[0]),
                TaskState.SUCCEEDED.db(), TaskState.FAILED.db(), TaskState.EXPIRED.db(), TaskState.CANCELLED.db(),
                tenant, jobId);
    }
}
