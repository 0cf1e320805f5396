package dev.offpeak.result.settle;

import dev.offpeak.result.budget.BudgetLedger;
import dev.offpeak.result.completion.TaskCompletion;
import dev.offpeak.result.completion.TaskEnding;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.provider.BatchState;
import dev.offpeak.result.provider.ProviderBatch;
import dev.offpeak.result.provider.ResultLine;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.result.store.PipelineState;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.Mode;
import dev.offpeak.schemas.pricing.PriceEntry;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles one terminal batch in one transaction: every result line matched to its request by
 * custom_id, costed, written; every line the provider did not account for settled explicitly
 * according to the batch's terminal state; the batch's counts checked ({@code succeeded + errored
 * + expired + cancelled == submitted}). Either all of it commits or none of it, so a crash
 * re-settles from scratch and no line is billed twice.
 *
 * <p>The open tasks of every final result are ended beside it, from the same computed values, in a
 * transaction of their own on a second connection that commits right after the settlement's
 * ({@link TaskEnding}). Without that connection, or when that ending fails, the tasks are ended right
 * after the commit instead; only an ending lost with the process is left to the check of settled
 * batches.
 *
 * <p>The same transaction replaces the budget reservations of the batch's final results by their exact
 * costs ({@link BudgetLedger}).
 */
public final class Settlement {
    private static final Logger log = LoggerFactory.getLogger(Settlement.class);

    private final Db db;
    private final Pricing pricing;
    private final Retries retries;
    private final CrashPoint crashPoint;

    /** Lets a test stop settlement dead after its commit, before the tasks' ending commits. */
    @FunctionalInterface
    public interface CrashPoint {
        void beforeTasksCommit(String batchId);

        CrashPoint NONE = batchId -> {};
    }

    public Settlement(Db db, Pricing pricing, Retries retries) {
        this(db, pricing, retries, CrashPoint.NONE);
    }

    public Settlement(Db db, Pricing pricing, Retries retries, CrashPoint crashPoint) {
        this.db = db;
        this.pricing = pricing;
        this.retries = retries;
        this.crashPoint = crashPoint;
    }

    /** What settling a batch did. */
    public record Settled(String batchId, SettledCounts counts, long tasksEnded, boolean mismatch, String error,
            BigDecimal costUsd, BigDecimal savedUsd, Timings timings) {}

    /**
     * Where a settlement spent its time: lines read, costed and written; then, after its commit, the
     * wait for the tasks' ending (which ran beside the lines) to finish and commit.
     */
    public record Timings(long linesMillis, long tasksMillis) {
        static final Timings NONE = new Timings(0, 0);
    }

    /**
     * @param provider the provider's terminal batch; null when the provider refused the batch at
     *                 submission (every line then ends as errored with {@code rejection})
     * @param lines    the spooled result lines (may be empty)
     */
    public Settled settle(BatchRow batch, ProviderBatch provider, String rejection,
            Consumer<Consumer<ResultLine>> lines, Instant now) {
        Instant pricedAt = batch.submittedAt() == null ? now : batch.submittedAt();
        PriceEntry price = pricing.priceFor(batch.provider(), batch.model(), pricedAt);
        TaskEnding ending = TaskEnding.open(db.dataSource(), batch.batchId(), now);
        try {
            Settled settled = db.inTransaction(c -> settleLines(c, batch, provider, rejection, lines, price, ending, now));
            crashPoint.beforeTasksCommit(batch.batchId());
            long t0 = System.nanoTime();
            long ended;
            try {
                ended = ending == null ? endSettled(batch.batchId(), now) : ending.commit();
            } catch (SQLException e) {
                log.warn("batch {}: ending its tasks beside the settlement failed ({}); ending them now",
                        batch.batchId(), e.getMessage());
                ended = endSettled(batch.batchId(), now);
            }
            long tasksMillis = (System.nanoTime() - t0) / 1_000_000;
            log.debug("batch {}: {} tasks ended, {} ms after the settlement's commit", batch.batchId(), ended,
                    tasksMillis);
            return new Settled(settled.batchId(), settled.counts(), ended, settled.mismatch(), settled.error(),
                    settled.costUsd(), settled.savedUsd(), new Timings(settled.timings().linesMillis(), tasksMillis));
        } finally {
            if (ending != null) {
                ending.close();
            }
        }
    }

    /**
     * Ends the tasks of a settled batch after its commit, each with its own outbox row; 0 when that
     * fails too (the check of settled batches ends them).
     */
    private long endSettled(String batchId, Instant now) {
        try {
            return db.inTransaction(c -> TaskCompletion.endSettled(c, batchId, now));
        } catch (RuntimeException e) {
            log.warn("batch {}: ending its tasks failed ({}); the settled-batch check ends them", batchId,
                    e.getMessage());
            return 0;
        }
    }

    private Settled settleLines(Connection c, BatchRow batch, ProviderBatch provider, String rejection,
            Consumer<Consumer<ResultLine>> lines, PriceEntry price, TaskEnding ending, Instant now)
            throws SQLException {
        Optional<PipelineState> state = Db.queryOne(c, "SELECT state FROM batches WHERE batch_id = ? FOR UPDATE",
                rs -> PipelineState.of(rs.getString(1)), batch.batchId());
        if (state.isEmpty() || !PipelineState.SETTLEABLE.contains(state.get())) {
            String was = state.map(PipelineState::db).orElse("missing");
            log.warn("batch {} is {}, not settling it again", batch.batchId(), was);
            return new Settled(batch.batchId(), SettledCounts.ZERO, 0, false, "already " + was,
                    BigDecimal.ZERO, BigDecimal.ZERO, Timings.NONE);
        }
        Map<String, SettlementStore.Item> items = SettlementStore.items(c, batch.batchId());
        Set<String> settled = new HashSet<>();
        long[] unknown = {0};
        SettledCounts[] counts = {SettledCounts.ZERO};
        // what the written rows cost and saved, and whether any may be retried: kept here so
        // that settlement does not read back the rows it has just written
        BigDecimal[] money = {BigDecimal.ZERO, BigDecimal.ZERO};
        boolean[] retryable = {false};
        // the endings of lines that may be retried: sent to the ending if the retry finalises them
        Map<String, TaskCompletion.Ending> held = new HashMap<>();
        ResultCopyWriter writer = new ResultCopyWriter(c, batch.batchId(), now);
        Consumer<ResultLine> write = line -> {
            SettlementStore.Item item = items.get(line.requestId());
            if (item == null || !settled.add(line.requestId())) {
                unknown[0]++;
                log.error("batch {}: result line for {} custom_id {} ignored", batch.batchId(),
                        item == null ? "unknown" : "repeated", line.requestId());
                return;
            }
            Usage usage = line.usage() == null ? Usage.ZERO : line.usage();
            // priced in the mode the line ran in, never another; the batch price beside it for the report
            Cost cost = Cost.of(usage, price, batch.mode());
            BigDecimal batchCost = batch.mode() == Mode.BATCH ? cost.batchUsd() : Cost.of(usage, price).batchUsd();
            boolean mayRetry = retries.mayRetry(line.retryable(), item.attempt())
                    || (batch.rescueMode() != null && Retries.unfinished(line.outcome()));
            writer.add(item.attempt(), line, cost, !mayRetry, batch.mode(), batchCost);
            counts[0] = counts[0].plus(line.outcome());
            money[0] = money[0].add(cost.batchUsd());
            money[1] = money[1].add(cost.syncUsd().subtract(cost.batchUsd()));
            retryable[0] |= mayRetry;
            if (ending != null) {
                TaskCompletion.Ending end = new TaskCompletion.Ending(line.requestId(),
                        line.outcome(), cost.batchUsd(), cost.syncUsd(), cost.listUsd(), line.errorCode(),
                        line.errorMessage(), item.taskId(), item.tenant());
                if (mayRetry) {
                    held.put(line.requestId(), end);
                } else {
                    ending.add(end);
                }
            }
        };
        long t0 = System.nanoTime();
        long reported;
        try {
            lines.accept(write);
            reported = settled.size();
            for (String requestId : items.keySet()) {
                if (!settled.contains(requestId)) {
                    write.accept(missing(requestId, provider, rejection));
                }
            }
            writer.finish();
        } catch (RuntimeException e) {
            writer.abort();
            throw e;
        }
        boolean mismatch = unknown[0] > 0 || (reported != items.size() && accountsForEveryLine(provider));
        String error = mismatch ? "provider reported " + reported + " known lines (" + unknown[0]
                + " unknown or repeated) for " + items.size() + " submitted" : rejection;
        if (counts[0].total() != items.size()) {
            throw new IllegalStateException("settlement of " + batch.batchId() + " counted " + counts[0]
                    + " for " + items.size() + " lines");
        }
        if (retryable[0]) {
            Retries.Retried retried = retries.retry(c, batch.batchId(), batch.rescueMode(), now);
            if (retried.batchId() != null) {
                log.info("batch {}: retryable lines go again in batch {}", batch.batchId(), retried.batchId());
            }
            if (ending != null) {
                retried.finalised().forEach(requestId -> ending.add(held.get(requestId)));
            }
        }
        BudgetLedger.settle(c, batch.batchId(), now);
        SettlementStore.finishBatch(c, batch.batchId(), provider == null ? null : provider.providerStatus(),
                provider == null ? null : provider.outputFileId(),
                provider == null ? null : provider.errorFileId(), counts[0], mismatch, error, null, now);
        long linesMillis = (System.nanoTime() - t0) / 1_000_000;
        if (mismatch) {
            log.error("batch {} settled with a count mismatch: {}", batch.batchId(), error);
        }
        log.debug("batch {}: {} lines read and written in {} ms", batch.batchId(), items.size(), linesMillis);
        return new Settled(batch.batchId(), counts[0], 0, mismatch, error, money[0], money[1],
                new Timings(linesMillis, 0));
    }

    /** Whether the provider's result files should hold a line for every submitted request. */
    private static boolean accountsForEveryLine(ProviderBatch provider) {
        if (provider == null) {
            return false;
        }
        return switch (provider.state()) {
            case COMPLETED, ENDED -> true;
            // OpenAI lists expired/cancelled lines in the error file; Gemini returns nothing on expiry
            case EXPIRED, CANCELLED -> provider.outputFileId() != null || provider.errorFileId() != null
                    || provider.resultsUrl() != null;
            default -> false;
        };
    }

    /** A line the provider's files did not mention, settled by what the batch's terminal state means. */
    static ResultLine missing(String requestId, ProviderBatch provider, String rejection) {
        if (provider == null) {
            return line(requestId, LineOutcome.ERRORED, "submit_rejected", rejection, false);
        }
        BatchState state = provider.state();
        return switch (state) {
            case EXPIRED -> line(requestId, LineOutcome.EXPIRED, "batch_expired",
                    "the provider's batch window ended before this request ran", true);
            case CANCELLED -> line(requestId, LineOutcome.CANCELLED, "batch_cancelled",
                    "the batch was cancelled before this request ran", true);
            case FAILED -> line(requestId, LineOutcome.ERRORED, "batch_failed", failureOf(provider), false);
            default -> line(requestId, LineOutcome.ERRORED, "missing_from_results",
                    "the provider's results did not include this request (batch " + provider.providerStatus() + ")",
                    true);
        };
    }

    private static String failureOf(ProviderBatch provider) {
        if (provider.errors().isEmpty()) {
            return "the provider failed the batch";
        }
        var e = provider.errors().get(0);
        return e.code() + ": " + e.message();
    }

    private static ResultLine line(String requestId, LineOutcome outcome, String code, String message,
            boolean retryable) {
        return new ResultLine(requestId, outcome, null, null, code, message, retryable, Usage.ZERO);
    }
}
