-- The mode a line's first task asked for (task.submitted mode: batch, flex, sync or auto); NULL when
-- it asked none, and the tenant's or lane's default (OFFPEAK_RESULT_LANE_MODES) applies. Lines of one
-- batch that ask for different modes are split into a batch per mode before the intent is recorded.
ALTER TABLE batch_items ADD COLUMN mode_requested text CHECK (mode_requested IN ('batch', 'flex', 'sync', 'auto'));

-- How long each flex / sync call took from its first attempt to its answer, retries included: the
-- history from which auto mode expects a flex or sync batch's turnaround.
ALTER TABLE sync_calls ADD COLUMN latency_ms bigint;
CREATE INDEX batches_by_lane_mode ON batches (provider, model, mode);

-- The analyst sees the mode each task's answer ran in and what the task's share would have cost in a
-- batch (0 where the task paid nothing: duplicates, failures), so flex / sync premiums are queryable.
CREATE OR REPLACE VIEW analytics.task_costs AS
SELECT t.tenant, t.task_id, t.job_id, t.provider, t.model, t.endpoint, t.status, t.duplicate, t.request_id,
       t.result_batch_id AS batch_id, b.provider_batch_id, r.attempt AS attempts, r.http_status,
       coalesce(r.input_tokens, 0) AS input_tokens, coalesce(r.cached_input_tokens, 0) AS cached_input_tokens,
       coalesce(r.cache_write_5m_tokens, 0) + coalesce(r.cache_write_1h_tokens, 0) AS cache_write_tokens,
       coalesce(r.output_tokens, 0) AS output_tokens, coalesce(r.reasoning_tokens, 0) AS reasoning_tokens,
       t.cost_usd, t.sync_cost_usd, t.saved_usd, r.price_version, t.error_code, t.error_message, t.metadata,
       t.submitted_at, t.accepted_at, t.completed_at,
       extract(epoch FROM t.completed_at - coalesce(t.submitted_at, t.accepted_at)) AS turnaround_seconds,
       t.list_cost_usd,
       r.mode,
       CASE WHEN t.cost_usd IS NULL THEN NULL WHEN t.cost_usd = 0 THEN 0 ELSE r.batch_cost_usd END AS batch_cost_usd
  FROM tasks t
  LEFT JOIN results r ON r.request_id = t.request_id AND r.batch_id = t.result_batch_id
  LEFT JOIN batches b ON b.batch_id = t.result_batch_id;
