-- The tasks of a settled batch are ended on a second connection WHILE settlement copies the
-- results, in a transaction of their own that commits right after the settlement's, instead of
-- after the results inside the settlement's transaction (see TaskEnding). A batch's settlement is
-- then about as long as the COPY of its results, not the COPY plus an UPDATE of every task.
--
-- Ending a task rewrites its row. These changes let Postgres do that in place (a HOT update: no new
-- index entries, no index to clean later): no index may name a column the update changes, and the
-- page needs room for the new version.

-- Room on every new page for the row's second version (a task is written twice: accepted, ended).
-- The ended version is larger (costs, batch, completion time) and a batch's ending updates every
-- row of a page in one transaction, before any old version can be pruned: at fillfactor 50 about
-- one update in nine still found its page full; 40 leaves room for all of them. Existing pages keep
-- their fill; their tasks are mostly ended already.
ALTER TABLE tasks SET (fillfactor = 40);

-- Open tasks were found by a partial index on status, which blocked in-place updates. Tasks are now
-- found by request (a request has one task, or a few with duplicates) and the status is checked on
-- the row.
DROP INDEX tasks_open_by_request;
CREATE INDEX tasks_by_request ON tasks (request_id);

-- The relay found a batch's announced tasks through this index on two updated columns; it now goes
-- from the batch's final results to their tasks (results_by_batch, tasks_by_request).
DROP INDEX tasks_announced_by_batch;

-- When the tasks of a settled batch were last checked: a task accepted while its request's result
-- was being settled, or tasks whose ending transaction was lost in a crash between the two commits,
-- are ended by a check that runs once per settled batch, a delay after its settlement. Batches
-- settled by earlier versions ended their tasks in the settlement's own transaction.
ALTER TABLE batches ADD COLUMN tasks_checked_at timestamptz;
UPDATE batches SET tasks_checked_at = settled_at WHERE state = 'settled';
CREATE INDEX batches_tasks_unchecked ON batches (settled_at) WHERE state = 'settled' AND tasks_checked_at IS NULL;
