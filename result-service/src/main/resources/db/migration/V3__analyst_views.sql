-- The analyst's view: documented views in schema "analytics", and a read-only role that can read
-- them and nothing else. docs/analytics.md has example questions; a test runs every one of them.

CREATE SCHEMA analytics;

-- One row per task with its result and cost.
CREATE VIEW analytics.task_costs AS
SELECT t.tenant, t.task_id, t.job_id, t.provider, t.model, t.endpoint, t.status, t.duplicate, t.request_id,
       t.result_batch_id AS batch_id, b.provider_batch_id, r.attempt AS attempts, r.http_status,
       coalesce(r.input_tokens, 0) AS input_tokens, coalesce(r.cached_input_tokens, 0) AS cached_input_tokens,
       coalesce(r.cache_write_5m_tokens, 0) + coalesce(r.cache_write_1h_tokens, 0) AS cache_write_tokens,
       coalesce(r.output_tokens, 0) AS output_tokens, coalesce(r.reasoning_tokens, 0) AS reasoning_tokens,
       t.cost_usd, t.sync_cost_usd, t.saved_usd, r.price_version, t.error_code, t.error_message, t.metadata,
       t.submitted_at, t.accepted_at, t.completed_at,
       extract(epoch FROM t.completed_at - coalesce(t.submitted_at, t.accepted_at)) AS turnaround_seconds
  FROM tasks t
  LEFT JOIN results r ON r.request_id = t.request_id AND r.batch_id = t.result_batch_id
  LEFT JOIN batches b ON b.batch_id = t.result_batch_id;

-- Cost and savings per day (of completion) x tenant x job x provider x model.
CREATE VIEW analytics.spend_daily AS
SELECT date_trunc('day', t.completed_at)::date AS day, t.tenant, t.job_id, t.provider, t.model,
       count(*) AS tasks,
       count(*) FILTER (WHERE t.status = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE t.status <> 'succeeded') AS not_succeeded,
       count(*) FILTER (WHERE t.duplicate) AS duplicates,
       sum(t.cost_usd) AS cost_usd, sum(t.sync_cost_usd) AS sync_cost_usd, sum(t.saved_usd) AS saved_usd
  FROM tasks t
 WHERE t.status <> 'accepted'
 GROUP BY 1, 2, 3, 4, 5;

-- Progress and totals of every job.
CREATE VIEW analytics.job_status AS
SELECT t.tenant, t.job_id, j.sealed_at, j.completed_at, j.task_count AS expected_tasks,
       count(*) AS tasks,
       count(*) FILTER (WHERE t.status = 'accepted') AS open,
       count(*) FILTER (WHERE t.status = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE t.status = 'failed') AS failed,
       count(*) FILTER (WHERE t.status = 'expired') AS expired,
       count(*) FILTER (WHERE t.status = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE t.duplicate) AS duplicates,
       coalesce(sum(t.cost_usd), 0) AS cost_usd, coalesce(sum(t.saved_usd), 0) AS saved_usd,
       min(t.submitted_at) AS first_submitted_at, max(t.completed_at) AS last_completed_at,
       CASE WHEN j.completed_at IS NOT NULL THEN 'completed'
            WHEN j.sealed_at IS NOT NULL THEN 'sealed'
            ELSE 'open' END AS state
  FROM tasks t
  LEFT JOIN jobs j ON j.tenant = t.tenant AND j.job_id = t.job_id
 WHERE t.job_id IS NOT NULL
 GROUP BY t.tenant, t.job_id, j.sealed_at, j.completed_at, j.task_count;

-- Health of every pipeline batch: where it is, how long it has been there, how it ended.
CREATE VIEW analytics.batch_health AS
SELECT b.batch_id, b.provider, b.model, b.state, b.provider_status, b.provider_batch_id, b.close_reason,
       b.expected_count AS lines, b.submit_attempts, b.poll_attempts, b.token_limit_hits,
       extract(epoch FROM now() - b.updated_at) AS seconds_in_state,
       extract(epoch FROM now() - b.created_at) AS age_seconds,
       extract(epoch FROM b.settled_at - b.submitted_at) AS turnaround_seconds,
       b.succeeded_count, b.errored_count, b.expired_count, b.cancelled_count,
       b.count_mismatch, b.last_error, b.created_at, b.submitted_at, b.settled_at
  FROM batches b;

-- Realised dedup and prompt-cache rates per day x provider x model.
CREATE VIEW analytics.efficiency_daily AS
SELECT date_trunc('day', t.completed_at)::date AS day, t.provider, t.model,
       count(*) AS tasks,
       count(*) FILTER (WHERE t.duplicate) AS duplicates,
       round(count(*) FILTER (WHERE t.duplicate)::numeric / nullif(count(*), 0), 4) AS dedup_rate,
       sum(r.input_tokens + r.cached_input_tokens + r.cache_write_5m_tokens + r.cache_write_1h_tokens)
           FILTER (WHERE NOT t.duplicate) AS prompt_tokens,
       sum(r.cached_input_tokens) FILTER (WHERE NOT t.duplicate) AS cached_tokens,
       round(sum(r.cached_input_tokens) FILTER (WHERE NOT t.duplicate)::numeric
             / nullif(sum(r.input_tokens + r.cached_input_tokens + r.cache_write_5m_tokens + r.cache_write_1h_tokens)
                      FILTER (WHERE NOT t.duplicate), 0), 4) AS cache_rate
  FROM tasks t
  JOIN results r ON r.request_id = t.request_id AND r.batch_id = t.result_batch_id
 WHERE t.status <> 'accepted'
 GROUP BY 1, 2, 3;

-- The read-only analyst role: reads the views, nothing else. Grant it to login users:
--   CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE offpeak_analyst;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'offpeak_analyst') THEN
        CREATE ROLE offpeak_analyst NOLOGIN;
    END IF;
END
$$;
REVOKE ALL ON SCHEMA public FROM offpeak_analyst;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM offpeak_analyst;
GRANT USAGE ON SCHEMA analytics TO offpeak_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO offpeak_analyst;
