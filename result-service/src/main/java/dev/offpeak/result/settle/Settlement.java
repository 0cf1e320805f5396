package dev.offpeak.result.settle;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.provider.BatchState;
import dev.offpeak.result.provider.ProviderBatch;
import dev.offpeak.result.provider.ResultLine;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.pricing.Cost;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles one terminal batch in one transaction: every result line matched to its request by
 * custom_id, costed, written; every line the provider did not account for settled explicitly
 * according to the batch's terminal state; every open task of every settled request ended; the
 * batch's counts checked ({@code succeeded + errored + expired + cancelled == submitted}). Either
 * all of it commits or none of it, so a crash re-settles from scratch and no line is billed twice.
 */
public final class Settlement {
    private static final Logger log = LoggerFactory.getLogger(Settlement.class);

    private final Db db;
    private final Pricing pricing;

    public Settlement(Db db, Pricing pricing) {
        this.db = db;
        this.pricing = pricing;
    }

    /** What settling a batch did. */
    public record Settled(String batchId, SettledCounts counts, long tasksEnded, boolean mismatch, String error) {}

    /**
     * @param provider the provider's terminal batch; null when the provider refused the batch at
     *                 submission (every line then ends as errored with {@code rejection})
     * @param lines    the spooled result lines (may be empty)
     */
    public Settled settle(BatchRow batch, ProviderBatch provider, String rejection,
            Consumer<Consumer<ResultLine>> lines, Instant now) {
        Instant pricedAt = batch.submittedAt() == null ? now : batch.submittedAt();
        return db.inTransaction(c -> {
            Map<String, Integer> items = SettlementStore.items(c, batch.batchId());
            Set<String> settled = new HashSet<>();
            long[] unknown = {0};
            SettledCounts[] counts = {SettledCounts.ZERO};
            try (PreparedStatement insert = SettlementStore.resultInsert(c)) {
                int[] pending = {0};
                Consumer<ResultLine> write = line -> {
                    try {
                        Integer attempt = items.get(line.requestId());
                        if (attempt == null || !settled.add(line.requestId())) {
                            unknown[0]++;
                            log.error("batch {}: result line for {} custom_id {} ignored", batch.batchId(),
                                    attempt == null ? "unknown" : "repeated", line.requestId());
                            return;
                        }
                        Cost cost = pricing.cost(batch.provider(), batch.model(), pricedAt,
                                line.usage() == null ? Usage.ZERO : line.usage());
                        SettlementStore.addResult(insert, batch.batchId(), attempt, line, cost, now);
                        counts[0] = counts[0].plus(line.outcome());
                        if (++pending[0] % SettlementStore.CHUNK == 0) {
                            insert.executeBatch();
                        }
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                };
                lines.accept(write);
                long reported = settled.size();
                for (Map.Entry<String, Integer> item : items.entrySet()) {
                    if (!settled.contains(item.getKey())) {
                        write.accept(missing(item.getKey(), provider, rejection));
                    }
                }
                insert.executeBatch();
                boolean mismatch = unknown[0] > 0 || (reported != items.size() && accountsForEveryLine(provider));
                String error = mismatch ? "provider reported " + reported + " known lines (" + unknown[0]
                        + " unknown or repeated) for " + items.size() + " submitted" : rejection;
                if (counts[0].total() != items.size()) {
                    throw new IllegalStateException("settlement of " + batch.batchId() + " counted " + counts[0]
                            + " for " + items.size() + " lines");
                }
                long ended = SettlementStore.completeTasks(c, batch.batchId(), now);
                SettlementStore.finishBatch(c, batch.batchId(), provider == null ? null : provider.providerStatus(),
                        provider == null ? null : provider.outputFileId(),
                        provider == null ? null : provider.errorFileId(), counts[0], mismatch, error, null, now);
                if (mismatch) {
                    log.error("batch {} settled with a count mismatch: {}", batch.batchId(), error);
                }
                return new Settled(batch.batchId(), counts[0], ended, mismatch, error);
            }
        });
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
