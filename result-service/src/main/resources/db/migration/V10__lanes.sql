-- Lanes beside batch: a pipeline batch runs in one mode (batch: the provider's Batch API; flex:
-- OpenAI's flex tier, synchronous at about the batch price; sync: synchronous calls at the list
-- price), and every result records the mode it ran in, so it is priced in that mode and no other.

ALTER TABLE batches ADD COLUMN mode text NOT NULL DEFAULT 'batch'
    CHECK (mode IN ('batch', 'flex', 'sync'));
-- A batch in flight whose tasks' deadlines came too close: its provider batch was cancelled, its
-- finished lines settle as usual and its unfinished ones go again at once in this mode.
ALTER TABLE batches ADD COLUMN rescue_mode text CHECK (rescue_mode IN ('flex', 'sync'));
ALTER TABLE batches ADD COLUMN rescued_at timestamptz;

ALTER TABLE results ADD COLUMN mode text NOT NULL DEFAULT 'batch' CHECK (mode IN ('batch', 'flex', 'sync'));
-- What the same usage would have cost in a batch: the rescue's price over batch is cost - this.
ALTER TABLE results ADD COLUMN batch_cost_usd numeric;

-- The answers of a flex / sync batch's lines, each stored as the provider's batch-results line for
-- that request the moment its call returns, so a crash part-way re-runs only the calls in flight,
-- never a line already answered; settlement reads them like a results file.
CREATE TABLE sync_calls (
    batch_id    text        NOT NULL REFERENCES batches (batch_id),
    request_id  text        NOT NULL,
    result_line jsonb       NOT NULL,
    attempts    int         NOT NULL,
    called_at   timestamptz NOT NULL,
    PRIMARY KEY (batch_id, request_id)
);
