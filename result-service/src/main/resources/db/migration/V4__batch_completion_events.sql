-- task.completed events of a settled batch through ONE outbox row per batch instead of one per task.
--
-- Why: settlement ends every task of a batch (50,000 for a full one) in the transaction that writes
-- its results; inserting an outbox row per task (heap row plus three index entries each) cost about
-- as much as ending the tasks themselves. The relay expands a batch's row into the events of the
-- tasks that settlement ended, composed from the task and its result as before, and marks the row
-- sent once every one of them is acknowledged. Each event keeps its own stable event_id
-- ('tc-<tenant>-<task_id>'), so a re-publication after a crash is recognisable as before.

-- What an outbox row holds: 'event' (the payload is the event, e.g. job.completed), 'task' (the
-- payload names one task whose task.completed the relay composes: late duplicates, the sweep) or
-- 'batch' (the payload names a settled batch: the relay publishes the task.completed of every task
-- that settlement ended, see tasks.announced_by_batch).
ALTER TABLE outbox ADD COLUMN kind text NOT NULL DEFAULT 'event'
    CONSTRAINT outbox_kind_check CHECK (kind IN ('event', 'task', 'batch'));
UPDATE outbox SET kind = 'task' WHERE topic = 'offpeak.task-completed';

-- True when the task was ended by the settlement of its result batch and its task.completed is
-- published from that batch's outbox row; false for a task with an outbox row of its own (ended on
-- a late duplicate's arrival or by the sweep), so no task is announced from two rows.
ALTER TABLE tasks ADD COLUMN announced_by_batch boolean NOT NULL DEFAULT false;

-- How the relay finds the tasks a batch's row announces. Partial, so it holds only those tasks;
-- the UPDATE that ends a task writes a new row version anyway (its status leaves the predicate of
-- tasks_open_by_request), so this adds one index entry per ended task and nothing else.
CREATE INDEX tasks_announced_by_batch ON tasks (result_batch_id) WHERE announced_by_batch;
