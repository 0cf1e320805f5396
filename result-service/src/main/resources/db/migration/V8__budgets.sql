-- Spend limits (issue: budgets that hold). A budget covers a tenant's tasks, optionally only one
-- job's or only those whose metadata has key = value; per UTC day, per UTC month, or for its whole
-- life ('none', e.g. a job's). 'hard' budgets stop lines before they are uploaded (their tasks fail);
-- 'hold' budgets keep them back until the next period; 'soft' ones only alert. Budgets are never
-- deleted while their ledger matters: disabling keeps the charges.
CREATE TABLE budgets (
    budget_id       text        PRIMARY KEY,
    tenant          text        NOT NULL,
    job_id          text,
    metadata_key    text,
    metadata_value  text,
    period          text        NOT NULL,
    limit_usd       numeric     NOT NULL,
    mode            text        NOT NULL,
    thresholds      numeric[]   NOT NULL DEFAULT '{0.5,0.8,1.0}',
    active          boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT budgets_id_check CHECK (budget_id ~ '^[A-Za-z0-9._~-]{1,128}$'),
    CONSTRAINT budgets_period_check CHECK (period IN ('day', 'month', 'none')),
    CONSTRAINT budgets_mode_check CHECK (mode IN ('hard', 'hold', 'soft')),
    CONSTRAINT budgets_hold_check CHECK (mode <> 'hold' OR period <> 'none'),
    CONSTRAINT budgets_limit_check CHECK (limit_usd >= 0),
    CONSTRAINT budgets_metadata_check CHECK ((metadata_key IS NULL) = (metadata_value IS NULL))
);
CREATE INDEX budgets_by_tenant ON budgets (tenant) WHERE active;

-- The ledger: one row per budget and task that pays for a line (the batch item's task). Written
-- when the line is admitted to a provider batch (its worst case reserved), in the transaction that
-- records the intent to submit; replaced by the exact cost in the settlement's transaction. A
-- budget's level in a period is sum(reserved_usd + spent_usd) of its rows.
CREATE TABLE budget_charges (
    budget_id     text        NOT NULL REFERENCES budgets (budget_id),
    period_start  timestamptz NOT NULL,
    tenant        text        NOT NULL,
    task_id       text        NOT NULL,
    request_id    text        NOT NULL,
    batch_id      text        NOT NULL,
    reserved_usd  numeric     NOT NULL,
    spent_usd     numeric     NOT NULL DEFAULT 0,
    state         text        NOT NULL DEFAULT 'reserved',
    reserved_at   timestamptz NOT NULL,
    settled_at    timestamptz,
    PRIMARY KEY (budget_id, tenant, task_id),
    CONSTRAINT budget_charges_state_check CHECK (state IN ('reserved', 'settled', 'released'))
);
CREATE INDEX budget_charges_by_period ON budget_charges (budget_id, period_start);
CREATE INDEX budget_charges_by_task ON budget_charges (tenant, task_id);

-- Thresholds crossed, once per budget, period and threshold (the budget.threshold event's source).
CREATE TABLE budget_alerts (
    budget_id     text        NOT NULL REFERENCES budgets (budget_id),
    period_start  timestamptz NOT NULL,
    threshold     numeric     NOT NULL,
    level_usd     numeric     NOT NULL,
    crossed_at    timestamptz NOT NULL,
    PRIMARY KEY (budget_id, period_start, threshold)
);

-- A line Offpeak did not send in this batch, and why: refused by a hard budget (not uploaded, its
-- request gets an errored final result that costs nothing, its tasks fail with the reason), or held by
-- a 'hold' budget (moved to a batch of its own that waits for the next period).
ALTER TABLE batch_items ADD COLUMN refused text;
ALTER TABLE batches ADD COLUMN refused_count int NOT NULL DEFAULT 0;

-- Where each active budget stands in its current period (UTC): what analysts and `offpeak costs` read.
CREATE VIEW analytics.budget_standing AS
SELECT b.budget_id, b.tenant, b.job_id, b.metadata_key, b.metadata_value, b.period, b.mode, b.limit_usd,
       p.period_start,
       coalesce(sum(ch.spent_usd), 0)    AS spent_usd,
       coalesce(sum(ch.reserved_usd), 0) AS reserved_usd,
       greatest(b.limit_usd - coalesce(sum(ch.spent_usd + ch.reserved_usd), 0), 0) AS left_usd
  FROM budgets b
 CROSS JOIN LATERAL (SELECT CASE b.period
            WHEN 'day'   THEN date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
            WHEN 'month' THEN date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
            ELSE 'epoch'::timestamptz END AS period_start) p
  LEFT JOIN budget_charges ch ON ch.budget_id = b.budget_id AND ch.period_start = p.period_start
 WHERE b.active
 GROUP BY b.budget_id, p.period_start;
GRANT SELECT ON analytics.budget_standing TO offpeak_analyst;
