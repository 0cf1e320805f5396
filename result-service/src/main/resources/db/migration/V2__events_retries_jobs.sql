-- Completion events through a transactional outbox, retries of failed lines, and jobs.

-- A result row is final when no further attempt will be made for its request; only final results
-- end tasks. Retryable lines of an attempt below the limit are not final: they go into a new batch.
ALTER TABLE results ADD COLUMN final boolean NOT NULL DEFAULT true;
CREATE INDEX results_final_by_request ON results (request_id) WHERE final;

-- Events waiting for the relay. A state change and its event row commit in one transaction; the
-- relay publishes and marks them sent. event_id is stable, so a re-publication is recognisable.
CREATE TABLE outbox (
    id          bigserial   PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE,
    topic       text        NOT NULL,
    key         text        NOT NULL,
    payload     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- Jobs: sealed by their producer (job.sealed on offpeak.jobs), completed once every task is terminal.
CREATE TABLE jobs (
    tenant        text        NOT NULL,
    job_id        text        NOT NULL,
    task_count    bigint,
    sealed_at     timestamptz NOT NULL,
    completed_at  timestamptz,
    PRIMARY KEY (tenant, job_id)
);
CREATE INDEX jobs_open ON jobs (sealed_at) WHERE completed_at IS NULL;
