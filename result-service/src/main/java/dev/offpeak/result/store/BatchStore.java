package dev.offpeak.result.store;

import dev.offpeak.result.budget.BudgetGate;
import dev.offpeak.result.caching.LineAdjustment;
import dev.offpeak.result.caching.PromptCaching;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.provider.BatchSubmission;
import dev.offpeak.result.provider.ProviderBatch;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.Mode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The batch state machine in SQL. Work is claimed with {@code FOR UPDATE SKIP LOCKED} and a lease,
 * so any number of result-service replicas share it. A live replica renews its leases by heartbeat,
 * so a lease that runs out means its holder died (or lost the database), and the batch is claimable
 * again; a replica that starts under the name of a dead one takes its leases back at once.
 */
public final class BatchStore {
    /** The states whose batches hold their model's enqueued-token reservation. */
    private static final String RESERVING =
            PipelineState.sql(java.util.EnumSet.of(PipelineState.SUBMITTING, PipelineState.IN_FLIGHT));

    private final Db db;

    public BatchStore(Db db) {
        this.db = db;
    }

    /**
     * Claims up to {@code limit} due batches in one of {@code states} for {@code lease}. The caller
     * works on them one by one and calls {@link #letGo} for each when it is done with it (or gave up):
     * only the batches between the two are kept alive by {@link #renewLeases}.
     */
    public List<BatchRow> claim(List<PipelineState> states, Instant now, String owner, Duration lease, int limit) {
        return claimWhere("state = ANY (?)", now, owner, lease, limit,
                new Db.TextArray(states.stream().map(PipelineState::db).toList()));
    }

    /**
     * This process no longer works on the batch: it moved it on (which cleared its lease), or a round
     * ended early on an error. Its lease is not renewed any more, so a batch abandoned by a failed round
     * is free for any replica once the lease runs out, as if this process had died.
     */
    public void letGo(String batchId) {
        held.remove(batchId);
    }

    /** Batches claimed by this process and not let go: the ones its heartbeat keeps. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    /**
     * Claims the batches due for the submitter: new ones ({@code ready}, any mode: the submitter
     * decides their mode and records their intent) and batch-mode ones left {@code submitting} by a
     * crash. Flex / sync batches whose intent is recorded are the synchronous runner's
     * ({@link #claimToRunSynchronously}).
     */
    public List<BatchRow> claimToSubmit(Instant now, String owner, Duration lease, int limit) {
        return claimWhere("(state = ? OR (state = ? AND mode = 'batch'))", now, owner, lease, limit,
                PipelineState.READY.db(), PipelineState.SUBMITTING.db());
    }

    /** Claims the due flex / sync batches whose intent is recorded ({@code submitting}): their lines are called next. */
    public List<BatchRow> claimToRunSynchronously(Instant now, String owner, Duration lease, int limit) {
        return claimWhere("state = ? AND mode <> 'batch'", now, owner, lease, limit, PipelineState.SUBMITTING.db());
    }

    /** {@code rows} ordered by the earliest {@code not_after} of their open tasks (none last), else as given. */
    public List<BatchRow> byEarliestDeadline(List<BatchRow> rows) {
        if (rows.size() < 2) {
            return rows;
        }
        java.util.Map<String, Instant> deadline = db.inTransaction(
                c -> earliestOpenDeadlines(c, rows.stream().map(BatchRow::batchId).toList()));
        return rows.stream().sorted(java.util.Comparator.comparing((BatchRow r) -> deadline.get(r.batchId()),
                java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))).toList();
    }

    /** A flex / sync batch whose intent was just recorded: due at once for the synchronous runner, lease let go. */
    public void handToSyncRunner(String batchId, Instant now) {
        db.update("""
                UPDATE batches SET next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
                 WHERE batch_id = ?""", now, now, batchId);
    }

    /** Claims the due, unleased batches {@code which} selects, and holds them ({@link #letGo}). */
    private List<BatchRow> claimWhere(String which, Instant now, String owner, Duration lease, int limit,
            Object... whichParams) {
        Object[] params = new Object[whichParams.length + 5];
        params[0] = owner;
        params[1] = now.plus(lease);
        System.arraycopy(whichParams, 0, params, 2, whichParams.length);
        params[whichParams.length + 2] = now;
        params[whichParams.length + 3] = now;
        params[whichParams.length + 4] = limit;
        List<BatchRow> claimed = db.query("""
                UPDATE batches SET lease_owner = ?, lease_until = ?
                 WHERE batch_id IN (
                       SELECT batch_id FROM batches
                        WHERE %s AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
                        ORDER BY next_attempt_at
                        LIMIT ?
                        FOR UPDATE SKIP LOCKED)
                RETURNING *""".formatted(which), BatchRow::map, params);
        claimed.forEach(row -> held.add(row.batchId()));
        return claimed;
    }

    /**
     * Keeps this replica's leases alive: every batch it claimed and is still working on is held until
     * {@code until}. Called by the lease heartbeat, so leases can be short and a dead replica's batches
     * are free soon.
     */
    public int renewLeases(String owner, Instant until) {
        List<String> working = List.copyOf(held);
        if (working.isEmpty()) {
            return 0;
        }
        return db.update("UPDATE batches SET lease_until = ? WHERE lease_owner = ? AND batch_id = ANY (?)",
                until, owner, new Db.TextArray(working));
    }

    /**
     * Frees every lease still under {@code owner}: called once at start, after this process took the
     * owner's identity lock, so those leases belong to an earlier run of the same instance that died.
     */
    public int takeBack(String owner) {
        return db.update("UPDATE batches SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?", owner);
    }

    /** The provider batches of {@code provider} already recorded for a pipeline batch, created since {@code since}. */
    public Set<String> providerBatchIds(Provider provider, Instant since) {
        return Set.copyOf(db.query("""
                SELECT provider_batch_id FROM batches
                 WHERE provider = ? AND provider_batch_id IS NOT NULL AND coalesce(submitted_at, updated_at) >= ?""",
                rs -> rs.getString(1), provider.id(), since));
    }

    public Optional<BatchRow> find(String batchId) {
        return db.queryOne("SELECT * FROM batches WHERE batch_id = ?", BatchRow::map, batchId);
    }

    /** What {@link #recordIntent} did. */
    public enum Intent {
        /** The batch is {@code submitting}; the provider may be called. */
        RECORDED,
        /** The model's enqueued-token quota would be exceeded; nothing changed. */
        QUOTA_WAIT,
        /** Another replica holds the batch now (this one's lease ran out); nothing changed, leave it alone. */
        LEASE_LOST,
        /** A budgeted line's task has not arrived yet, so its budgets cannot be checked; nothing changed. */
        TASKS_PENDING,
        /** Budgets kept every line back (failed or held): nothing is left to send, and the batch is settled. */
        NOTHING_TO_SEND
    }

    /**
     * Records the intent to submit before the provider is called, and reserves the lane's
     * enqueued-token budget under a per-model lock: the reservation is the sum of the estimated
     * tokens of the model's batches in {@code submitting} or {@code in_flight}, so it is released
     * exactly when a batch leaves those states. Only the lease's holder records it: a replica whose
     * lease ran out (a long pause) learns here that another took the batch, before it calls the
     * provider.
     *
     * <p>In the same transaction, the first time (not again after a crash left it {@code submitting}),
     * the batch's lines are admitted against their budgets ({@link BudgetGate}): a crash can lose
     * neither the reservations nor the refusals of lines it then sends or keeps back.
     */
    public Intent recordIntent(BatchRow batch, String owner, long quotaTokens, BudgetGate budgets, Instant now) {
        return recordIntent(batch, owner, quotaTokens, budgets, null, now);
    }

    /**
     * {@link #recordIntent(BatchRow, String, long, BudgetGate, Instant)}, and before the budgets are
     * checked, the lines' prompt-cache hints are decided and recorded ({@link PromptCaching}; null =
     * none), so a budget sees the dearer rate of a cache write it adds and a resubmission after a
     * crash sends the same lines.
     */
    public Intent recordIntent(BatchRow batch, String owner, long quotaTokens, BudgetGate budgets,
                               PromptCaching caching, Instant now) {
        return db.inTransaction(c -> {
            Db.queryOne(c, "SELECT pg_advisory_xact_lock(hashtext(?))", rs -> 1,
                    batch.provider().id() + "|" + batch.model());
            if (quotaTokens > 0 && batch.state() != PipelineState.SUBMITTING) {
                long reserved = reservedTokens(c, batch);
                if (reserved + batch.estimatedTokens() > quotaTokens) {
                    return Intent.QUOTA_WAIT;
                }
            }
            Optional<Long> left = Db.queryOne(c, """
                    SELECT expected_count - refused_count FROM batches WHERE batch_id = ? AND lease_owner = ?
                       FOR UPDATE""", rs -> rs.getLong(1), batch.batchId(), owner);
            if (left.isEmpty()) {
                return Intent.LEASE_LOST;
            }
            if (batch.state() != PipelineState.SUBMITTING) {
                if (caching != null) {
                    caching.decide(c, batch, now);
                }
                switch (budgets.admit(c, batch, now)) {
                    case BudgetGate.Admission.TasksPending pending -> {
                        return Intent.TASKS_PENDING;
                    }
                    case BudgetGate.Admission.Decided decided when decided.refused() > 0 -> left = Optional.of(
                            left.get() - decided.refused());
                    default -> { }
                }
            }
            if (left.get() == 0) {
                Db.update(c, """
                        UPDATE batches SET state = ?, submitted_count = 0, succeeded_count = 0, errored_count = 0,
                               expired_count = 0, cancelled_count = 0, count_mismatch = false,
                               last_error = 'every line was kept back by a budget; nothing was sent', ended_at = ?,
                               settled_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
                         WHERE batch_id = ?""", PipelineState.SETTLED.db(), now, now, now, batch.batchId());
                return Intent.NOTHING_TO_SEND;
            }
            Db.update(c, """
                    UPDATE batches SET state = ?, submit_attempts = submit_attempts + 1,
                           first_submit_at = coalesce(first_submit_at, ?), updated_at = ?
                     WHERE batch_id = ?""", PipelineState.SUBMITTING.db(), now, now, batch.batchId());
            return Intent.RECORDED;
        });
    }

    public long reservedTokens(Connection c, BatchRow batch) throws SQLException {
        return Db.queryOne(c, """
                SELECT coalesce(sum(estimated_tokens), 0) FROM batches
                 WHERE provider = ? AND model = ? AND state IN %s AND batch_id <> ?""".formatted(RESERVING),
                rs -> rs.getLong(1), batch.provider().id(), batch.model(), batch.batchId()).orElse(0L);
    }

    public void markInFlight(String batchId, ProviderBatch created, Instant now, Instant firstPoll) {
        db.update("""
                UPDATE batches SET state = ?, provider_batch_id = ?, provider_status = ?, submitted_at = ?,
                       input_file_id = ?, next_attempt_at = ?, poll_attempts = 0, lease_owner = NULL,
                       lease_until = NULL, last_error = NULL, updated_at = ?
                 WHERE batch_id = ?""",
                PipelineState.IN_FLIGHT.db(), created.id(), created.providerStatus(), now, created.raw().get("input_file_id"), firstPoll, now,
                batchId);
    }

    /** Keeps the state; tries again at {@code next}, with the reason visible on the batch. */
    public void retryLater(String batchId, Instant next, String error, Instant now) {
        db.update("""
                UPDATE batches SET next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
                       updated_at = ?
                 WHERE batch_id = ?""", next, error, now, batchId);
    }

    /** A poll that found the batch still running. */
    public void pollAgain(String batchId, String providerStatus, Instant next, Instant now) {
        db.update("""
                UPDATE batches SET provider_status = ?, poll_attempts = poll_attempts + 1, next_attempt_at = ?,
                       last_error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = ?
                 WHERE batch_id = ?""", providerStatus, next, now, batchId);
    }

    /** A poll or download that failed: counts toward the poll backoff, reason visible. */
    public void pollError(String batchId, Instant next, String error, Instant now) {
        db.update("""
                UPDATE batches SET poll_attempts = poll_attempts + 1, next_attempt_at = ?, last_error = ?,
                       lease_owner = NULL, lease_until = NULL, updated_at = ?
                 WHERE batch_id = ?""", next, error, now, batchId);
    }

    /** token_limit_exceeded: drop the failed provider batch, wait, and submit again in a new round. */
    public void backToReady(String batchId, String error, Instant next, Instant now) {
        db.update("""
                UPDATE batches SET state = ?, provider_batch_id = NULL, provider_status = NULL,
                       token_limit_hits = token_limit_hits + 1, first_submit_at = NULL, next_attempt_at = ?,
                       last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
                 WHERE batch_id = ?""", PipelineState.READY.db(), next, error, now, batchId);
    }

    /** Batches per state and mode, for the gauges: key {@code state|mode}. */
    public java.util.Map<String, Long> countByStateAndMode() {
        java.util.Map<String, Long> counts = new java.util.HashMap<>();
        db.query("SELECT state, mode, count(*) FROM batches GROUP BY state, mode",
                rs -> counts.put(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3)));
        return counts;
    }

    /** Estimated tokens enqueued by the batches of one model that are submitting or in flight. */
    public record Reserved(Provider provider, String model, long tokens) {}

    /** Estimated tokens enqueued per provider and model (batches submitting or in flight). */
    public List<Reserved> reservedByModel() {
        return db.query("""
                SELECT provider, model, sum(estimated_tokens) FROM batches
                 WHERE state IN %s GROUP BY provider, model""".formatted(RESERVING),
                rs -> new Reserved(Provider.of(rs.getString(1)), rs.getString(2), rs.getLong(3)));
    }

    /**
     * A batch's lines as they are sent, in the order they are sent: the line, its recorded cache hint,
     * lines of one prefix adjacent and in batch order within it. Parameter: the batch; {@code %1$s} a
     * further condition, {@code %2$s} a limit.
     */
    private static final String LINES_AS_SENT = """
            SELECT i.request_id, r.line, i.adjustment::text, r.estimated_tokens FROM batch_items i JOIN requests r ON r.request_id = i.request_id
             WHERE i.batch_id = ? AND i.refused IS NULL %1$s
             ORDER BY r.prefix_fingerprint NULLS FIRST, i.seq %2$s""";

    /**
     * The lines of a batch as they are sent, streamed from the database with a cursor (never all in
     * memory): lines of one cacheable prefix adjacent (so the provider's cache, filled by the first,
     * serves the next), in batch order within a prefix, each with its recorded cache hint applied.
     */
    public BatchSubmission.LineSource lines(String batchId, Provider provider) {
        return consumer -> db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(LINES_AS_SENT.formatted("", ""))) {
                ps.setFetchSize(500);
                ps.setString(1, batchId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        consumer.accept(LineAdjustment.apply(provider, rs.getString(2), rs.getString(3)));
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return null;
        });
    }

    /** A line of a flex / sync batch still to be called: its request id and the line as it is sent. */
    /** A line of a flex / sync batch still to call, as sent, with its request's estimated input tokens. */
    public record PendingLine(String requestId, String line, long estimatedTokens) {}

    /** A flex / sync batch starts running: the moment it is priced at, kept across a crash. */
    public void markSyncStarted(String batchId, Instant now) {
        db.update("""
                UPDATE batches SET submitted_at = coalesce(submitted_at, ?), provider_status = 'running', updated_at = ?
                 WHERE batch_id = ?""", now, now, batchId);
    }

    /**
     * Up to {@code limit} lines of a flex / sync batch with no stored answer yet, as they are sent
     * (hints applied), prefix by prefix as in {@link #lines}.
     */
    public List<PendingLine> unansweredLines(String batchId, Provider provider, int limit) {
        return db.query(LINES_AS_SENT.formatted("""
                AND NOT EXISTS (SELECT 1 FROM sync_calls s WHERE s.batch_id = i.batch_id AND s.request_id = i.request_id)""",
                "LIMIT ?"), rs -> new PendingLine(rs.getString(1),
                LineAdjustment.apply(provider, rs.getString(2), rs.getString(3)), rs.getLong(4)), batchId, limit);
    }

    /** Stores the answer of one call the moment it returns (once: a replay keeps the first). */
    public void storeSyncAnswer(String batchId, String requestId, com.fasterxml.jackson.databind.JsonNode resultLine,
                                int attempts, Duration latency, Instant now) {
        db.update("""
                INSERT INTO sync_calls (batch_id, request_id, result_line, attempts, called_at, latency_ms)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                batchId, requestId, new Db.Jsonb(dev.offpeak.schemas.json.Json.write(resultLine)), attempts, now,
                latency.toMillis());
    }

    /** The stored answers of a flex / sync batch, as results-file lines, streamed. */
    public void syncAnswers(String batchId, java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> sink) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT result_line::text FROM sync_calls WHERE batch_id = ? ORDER BY request_id")) {
                ps.setFetchSize(500);
                ps.setString(1, batchId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(dev.offpeak.schemas.json.Json.mapper().readTree(rs.getString(1)));
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return null;
        });
    }

    /** The earliest deadline of the batch's tasks still open, if any has one. */
    public Optional<Instant> earliestOpenDeadline(String batchId) {
        return db.inTransaction(c -> earliestOpenDeadline(c, batchId));
    }

    /** As above, inside the caller's transaction. */
    public static Optional<Instant> earliestOpenDeadline(Connection c, String batchId) throws SQLException {
        return Optional.ofNullable(earliestOpenDeadlines(c, List.of(batchId)).get(batchId));
    }

    /** The earliest open-task deadline of each of {@code batchIds} that has one, in one query. */
    private static java.util.Map<String, Instant> earliestOpenDeadlines(Connection c, List<String> batchIds)
            throws SQLException {
        java.util.Map<String, Instant> out = new java.util.HashMap<>();
        Db.query(c, """
                SELECT i.batch_id, min(t.not_after) FROM batch_items i JOIN tasks t ON t.request_id = i.request_id
                 WHERE i.batch_id = ANY (?) AND i.refused IS NULL AND t.status = %s AND t.not_after IS NOT NULL
                 GROUP BY i.batch_id""".formatted(TaskState.ACCEPTED.sql()),
                rs -> out.put(rs.getString(1), rs.getTimestamp(2).toInstant()), new Db.TextArray(batchIds));
        return out;
    }

    /** The batch's provider batch was cancelled for a deadline: poll it soon, settle it as a rescue. */
    public void markRescue(String batchId, Mode mode, String providerStatus, Instant now) {
        db.update("""
                UPDATE batches SET rescue_mode = ?, rescued_at = ?, provider_status = ?, next_attempt_at = ?,
                       lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = ?
                 WHERE batch_id = ?""", mode.name().toLowerCase(java.util.Locale.ROOT), now, providerStatus, now,
                now, batchId);
    }

    /**
     * Sets the mode of a ready batch of a lane that does not run in batch ({@code ModeChooser}),
     * with the reason, and returns the batch as it now is; unchanged when its lane runs in batch.
     */
    public BatchRow chooseMode(BatchRow batch, ModeDecider chooser, Instant now) {
        return db.inTransaction(c -> {
            var choice = chooser.decide(c, batch, now);
            if (choice.isEmpty()) {
                return batch;
            }
            Db.update(c, """
                    UPDATE batches SET mode = ?, mode_reason = ?, updated_at = ?
                     WHERE batch_id = ? AND state = ?""", choice.get().mode().id(), choice.get().reason(), now,
                    batch.batchId(), PipelineState.READY.db());
            return Db.queryOne(c, "SELECT * FROM batches WHERE batch_id = ?", BatchRow::map, batch.batchId())
                    .orElse(batch);
        });
    }
}
