-- Offpeak result-service: the money path. Every table is written idempotently (replays change
-- nothing); money is numeric (exact), never float.

-- The price catalog, loaded from schemas/src/main/resources/prices/catalog.json at start-up.
CREATE TABLE prices (
    provider            text        NOT NULL,
    model               text        NOT NULL,
    effective_from      date        NOT NULL,
    input               numeric     NOT NULL,
    cached_input        numeric     NOT NULL,
    cache_write_5m      numeric     NOT NULL,
    cache_write_1h      numeric     NOT NULL,
    output              numeric     NOT NULL,
    batch_multiplier    numeric     NOT NULL,
    batch_cached_input  text        NOT NULL,
    source              text        NOT NULL,
    catalog_version     text        NOT NULL,
    PRIMARY KEY (provider, model, effective_from)
);

-- One row per accepted task (original or duplicate), from offpeak.task-accepted.
CREATE TABLE tasks (
    tenant                  text        NOT NULL,
    task_id                 text        NOT NULL,
    job_id                  text,
    request_id              text        NOT NULL,
    provider                text        NOT NULL,
    model                   text        NOT NULL,
    endpoint                text        NOT NULL,
    lane                    text        NOT NULL,
    duplicate               boolean     NOT NULL,
    original_task_id        text,
    estimated_input_tokens  bigint      NOT NULL,
    estimated_cost_usd      numeric     NOT NULL,
    metadata                jsonb       NOT NULL DEFAULT '{}'::jsonb,
    not_after               timestamptz,
    submitted_at            timestamptz,
    accepted_at             timestamptz NOT NULL,
    -- accepted until terminal: succeeded | failed | expired | cancelled
    status                  text        NOT NULL DEFAULT 'accepted',
    result_batch_id         text,
    cost_usd                numeric,
    sync_cost_usd           numeric,
    saved_usd               numeric,
    error_code              text,
    error_message           text,
    completed_at            timestamptz,
    PRIMARY KEY (tenant, task_id),
    CONSTRAINT tasks_status_check CHECK (status IN ('accepted', 'succeeded', 'failed', 'expired', 'cancelled'))
);
CREATE INDEX tasks_open_by_request ON tasks (request_id) WHERE status = 'accepted';
CREATE INDEX tasks_by_job ON tasks (job_id) WHERE job_id IS NOT NULL;

-- One row per request identity: the provider line, sent once per attempt.
CREATE TABLE requests (
    request_id        text        PRIMARY KEY,
    provider          text        NOT NULL,
    endpoint          text        NOT NULL,
    model             text        NOT NULL,
    lane              text        NOT NULL,
    line              text        NOT NULL,
    line_bytes        bigint      NOT NULL,
    estimated_tokens  bigint      NOT NULL,
    first_tenant      text,
    first_task_id     text        NOT NULL,
    created_at        timestamptz NOT NULL
);

-- Pipeline batches: a state machine driven by the submitter and the poller.
--   collecting -> ready -> submitting -> in_flight -> settled
--   submitting -> failed (permanent provider refusal); in_flight -> ready (token_limit_exceeded)
CREATE TABLE batches (
    batch_id           text        PRIMARY KEY,
    lane               text        NOT NULL,
    provider           text        NOT NULL,
    endpoint           text        NOT NULL,
    model              text        NOT NULL,
    state              text        NOT NULL,
    expected_count     bigint,
    expected_bytes     bigint,
    estimated_tokens   bigint      NOT NULL DEFAULT 0,
    ids_checksum       text,
    close_reason       text,
    job_ids            text[]      NOT NULL DEFAULT '{}',
    opened_at          timestamptz,
    closed_at          timestamptz,
    provider_batch_id  text,
    provider_status    text,
    input_file_id      text,
    output_file_id     text,
    error_file_id      text,
    submit_attempts    int         NOT NULL DEFAULT 0,
    poll_attempts      int         NOT NULL DEFAULT 0,
    token_limit_hits   int         NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz,
    lease_owner        text,
    lease_until        timestamptz,
    first_submit_at    timestamptz,
    submitted_at       timestamptz,
    ended_at           timestamptz,
    settled_at         timestamptz,
    submitted_count    bigint,
    succeeded_count    bigint,
    errored_count      bigint,
    expired_count      bigint,
    cancelled_count    bigint,
    count_mismatch     boolean     NOT NULL DEFAULT false,
    last_error         text,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CONSTRAINT batches_state_check CHECK (state IN
        ('collecting', 'ready', 'submitting', 'in_flight', 'settled', 'failed', 'split'))
);
CREATE INDEX batches_due ON batches (state, next_attempt_at) WHERE state IN ('ready', 'submitting', 'in_flight');
CREATE UNIQUE INDEX batches_provider_batch ON batches (provider, provider_batch_id) WHERE provider_batch_id IS NOT NULL;

-- The lines of each batch, in order.
CREATE TABLE batch_items (
    batch_id    text    NOT NULL REFERENCES batches (batch_id),
    seq         bigint  NOT NULL,
    request_id  text    NOT NULL REFERENCES requests (request_id),
    task_id     text    NOT NULL,
    tenant      text,
    attempt     int     NOT NULL,
    PRIMARY KEY (batch_id, seq)
);
CREATE UNIQUE INDEX batch_items_by_request ON batch_items (batch_id, request_id);
CREATE INDEX batch_items_request ON batch_items (request_id);

-- One row per request and batch it was sent in (an attempt): what the provider answered, and
-- what it cost. No foreign keys: settlement writes these with COPY after matching every line to
-- the batch's items in the same transaction, and per-row key checks would halve its speed.
CREATE TABLE results (
    request_id             text        NOT NULL,
    batch_id               text        NOT NULL,
    attempt                int         NOT NULL,
    status                 text        NOT NULL,
    http_status            int,
    response               jsonb,
    error_code             text,
    error_message          text,
    retryable              boolean     NOT NULL,
    input_tokens           bigint      NOT NULL,
    cached_input_tokens    bigint      NOT NULL,
    cache_write_5m_tokens  bigint      NOT NULL,
    cache_write_1h_tokens  bigint      NOT NULL,
    output_tokens          bigint      NOT NULL,
    reasoning_tokens       bigint      NOT NULL,
    cost_usd               numeric     NOT NULL,
    sync_cost_usd          numeric     NOT NULL,
    price_version          text,
    settled_at             timestamptz NOT NULL,
    PRIMARY KEY (request_id, batch_id),
    CONSTRAINT results_status_check CHECK (status IN ('succeeded', 'errored', 'expired', 'cancelled'))
);
CREATE INDEX results_by_batch ON results (batch_id);

-- Records the intake could not read: kept, never dropped.
CREATE TABLE intake_rejects (
    topic        text        NOT NULL,
    partition    int         NOT NULL,
    "offset"     bigint      NOT NULL,
    reason       text        NOT NULL,
    raw          bytea,
    rejected_at  timestamptz NOT NULL,
    PRIMARY KEY (topic, partition, "offset")
);
