-- Cache-aware packing: what a request shares with others, what Offpeak changed in a line for the
-- provider's prompt cache, and the list price of every result (what the work costs sent one by one
-- at synchronous list rates, without any cache).

-- The request's cacheable prefix (schemas CacheablePrefix): fingerprint ('-' = none) and estimated
-- tokens. NULL on requests batched before this version.
ALTER TABLE requests ADD COLUMN prefix_fingerprint text;
ALTER TABLE requests ADD COLUMN prefix_tokens bigint NOT NULL DEFAULT 0;

-- What Offpeak changed in the line when it sent it in this batch (NULL = sent as submitted), e.g.
-- {"cache_control": {"type": "ephemeral", "ttl": "1h"}, "at": "system"} or
-- {"prompt_cache_key": "offpeak-<fingerprint>"}. The request identity never includes it: the answer
-- is still the answer to the task as submitted.
ALTER TABLE batch_items ADD COLUMN adjustment jsonb;

-- Why the batch's provider cache was or was not used beyond what its lines carry (e.g. Gemini
-- explicit caching), for the operator.
ALTER TABLE batches ADD COLUMN caching_note text;

-- List cost: every prompt token at the synchronous input rate of the tier reached, output at the
-- synchronous output rate, no cache. NULL on rows settled before this version.
ALTER TABLE results ADD COLUMN list_cost_usd numeric;
ALTER TABLE tasks ADD COLUMN list_cost_usd numeric;

-- The analyst views gain the list cost (columns appended, so existing queries keep working).
CREATE OR REPLACE VIEW analytics.task_costs AS
SELECT t.tenant, t.task_id, t.job_id, t.provider, t.model, t.endpoint, t.status, t.duplicate, t.request_id,
       t.result_batch_id AS batch_id, b.provider_batch_id, r.attempt AS attempts, r.http_status,
       coalesce(r.input_tokens, 0) AS input_tokens, coalesce(r.cached_input_tokens, 0) AS cached_input_tokens,
       coalesce(r.cache_write_5m_tokens, 0) + coalesce(r.cache_write_1h_tokens, 0) AS cache_write_tokens,
       coalesce(r.output_tokens, 0) AS output_tokens, coalesce(r.reasoning_tokens, 0) AS reasoning_tokens,
       t.cost_usd, t.sync_cost_usd, t.saved_usd, r.price_version, t.error_code, t.error_message, t.metadata,
       t.submitted_at, t.accepted_at, t.completed_at,
       extract(epoch FROM t.completed_at - coalesce(t.submitted_at, t.accepted_at)) AS turnaround_seconds,
       t.list_cost_usd
  FROM tasks t
  LEFT JOIN results r ON r.request_id = t.request_id AND r.batch_id = t.result_batch_id
  LEFT JOIN batches b ON b.batch_id = t.result_batch_id;

CREATE OR REPLACE VIEW analytics.spend_daily AS
SELECT date_trunc('day', t.completed_at)::date AS day, t.tenant, t.job_id, t.provider, t.model,
       count(*) AS tasks,
       count(*) FILTER (WHERE t.status = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE t.status <> 'succeeded') AS not_succeeded,
       count(*) FILTER (WHERE t.duplicate) AS duplicates,
       sum(t.cost_usd) AS cost_usd, sum(t.sync_cost_usd) AS sync_cost_usd, sum(t.saved_usd) AS saved_usd,
       sum(t.list_cost_usd) AS list_cost_usd,
       sum(t.list_cost_usd) FILTER (WHERE t.duplicate) AS saved_by_dedup_usd,
       sum(t.list_cost_usd - t.sync_cost_usd) FILTER (WHERE NOT t.duplicate) AS saved_by_caching_usd,
       sum(t.sync_cost_usd - t.cost_usd) FILTER (WHERE NOT t.duplicate) AS saved_by_batch_usd
  FROM tasks t
 WHERE t.status <> 'accepted'
 GROUP BY 1, 2, 3, 4, 5;
