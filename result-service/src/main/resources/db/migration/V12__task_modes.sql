-- The mode a line's first task asked for (task.submitted mode: batch, flex, sync or auto); NULL when
-- it asked none, and the tenant's or lane's default (OFFPEAK_RESULT_LANE_MODES) applies. Lines of one
-- batch that ask for different modes are split into a batch per mode before the intent is recorded.
ALTER TABLE batch_items ADD COLUMN mode_requested text CHECK (mode_requested IN ('batch', 'flex', 'sync', 'auto'));

-- How long each flex / sync call took from its first attempt to its answer, retries included: the
-- history from which auto mode expects a flex or sync batch's turnaround.
ALTER TABLE sync_calls ADD COLUMN latency_ms bigint;
CREATE INDEX batches_by_lane_mode ON batches (provider, model, mode);
