package dev.offpeak.result.events;

import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.topics.Topics;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * Completes sealed jobs whose tasks are all terminal (and, when the seal said how many tasks the
 * job holds, all of them have arrived): marks the job and writes its {@code job.completed} event
 * with the totals in one transaction, exactly once per job.
 */
public final class JobCompleter {
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
                 WHERE j.completed_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.tenant = j.tenant AND t.job_id = j.job_id
                                     AND t.status = 'accepted')
                   AND (j.task_count IS NULL OR j.task_count <= (SELECT count(*) FROM tasks t
                                                                  WHERE t.tenant = j.tenant AND t.job_id = j.job_id))
                 LIMIT 100""", rs -> new String[] {rs.getString(1), rs.getString(2)});
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
                    UPDATE jobs SET completed_at = ? WHERE tenant = ? AND job_id = ? AND completed_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.tenant = jobs.tenant AND t.job_id = jobs.job_id
                                         AND t.status = 'accepted')""", now, tenant, jobId);
            if (marked == 0) {
                return 0; // another replica completed it, or a task arrived meanwhile
            }
            Db.update(c, """
                    INSERT INTO outbox (event_id, topic, key, payload, created_at)
                    SELECT 'jc-' || j.tenant || '-' || j.job_id, ?, j.job_id, jsonb_strip_nulls(jsonb_build_object(
                               'type', 'job.completed', 'schema_version', 1,
                               'event_id', 'jc-' || j.tenant || '-' || j.job_id,
                               'job_id', j.job_id, 'tenant', j.tenant,
                               'tasks', count(t.task_id),
                               'succeeded', count(t.task_id) FILTER (WHERE t.status = 'succeeded'),
                               'failed', count(t.task_id) FILTER (WHERE t.status = 'failed'),
                               'expired', count(t.task_id) FILTER (WHERE t.status = 'expired'),
                               'cancelled', count(t.task_id) FILTER (WHERE t.status = 'cancelled'),
                               'duplicates', count(t.task_id) FILTER (WHERE t.duplicate),
                               'cost_usd', coalesce(sum(t.cost_usd), 0)::text,
                               'sync_cost_usd', coalesce(sum(t.sync_cost_usd), 0)::text,
                               'saved_usd', coalesce(sum(t.saved_usd), 0)::text,
                               'first_submitted_at', to_char(min(t.submitted_at) AT TIME ZONE 'UTC',
                                                             'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                               'sealed_at', to_char(j.sealed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                               'completed_at', to_char(j.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))),
                           ?
                      FROM jobs j LEFT JOIN tasks t ON t.tenant = j.tenant AND t.job_id = j.job_id
                     WHERE j.tenant = ? AND j.job_id = ?
                     GROUP BY j.tenant, j.job_id, j.sealed_at, j.completed_at
                    ON CONFLICT (event_id) DO NOTHING""", Topics.JOB_COMPLETED.name(), now, tenant, jobId);
            return 1;
        });
    }
}
