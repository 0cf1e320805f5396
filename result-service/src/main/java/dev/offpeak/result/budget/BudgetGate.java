package dev.offpeak.result.budget;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.result.completion.OutboxStore;
import dev.offpeak.result.completion.TaskCompletion;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.result.store.FollowUpBatches;
import dev.offpeak.schemas.events.BudgetThreshold;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.Mode;
import dev.offpeak.schemas.pricing.ModelInfo;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.OutputCap;
import dev.offpeak.schemas.pricing.PriceEntry;
import dev.offpeak.schemas.topics.Topics;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a batch's lines against their tenants' budgets, in the transaction that records the intent
 * to submit the batch: the last moment a line can still be kept back (once uploaded, a line cannot be
 * taken out of a provider batch), and the one transaction a crash cannot split from the decision.
 *
 * <p>Lines are admitted in batch order. A line's worst case is its estimated input tokens (at the
 * highest input rate the line can be billed at: cache writes where the request asks for them) plus its
 * output cap (the request's own, else the model's maximum), at the batch rate of the price row in force.
 * A line under a hard budget whose level (spent + reserved in the period) plus its worst case would
 * exceed the limit is refused: it is not uploaded, its request gets an errored final result that costs
 * nothing ({@value #REFUSED_CODE}), and its tasks fail with the reason. A line over a {@code hold}
 * budget (and under every hard one) moves to a batch of its own that is ready when that budget's next
 * period starts, where it is admitted again; its task fails instead if its deadline comes first. Every
 * admitted line's worst case is
 * reserved on every budget that covers its paying task (the batch item's), hard or soft; settlement
 * replaces the reservation by the exact cost ({@link BudgetLedger}).
 *
 * <p>Budgets are locked ({@code FOR UPDATE}, in id order) for the admission, so replicas admitting at the
 * same time see each other's reservations. Tenants without budgets cost one indexed query.
 */
public final class BudgetGate {
    private static final Logger log = LoggerFactory.getLogger(BudgetGate.class);
    public static final String REFUSED_CODE = "budget_exceeded";

    private final ModelRegistry registry;

    public BudgetGate(ModelRegistry registry) {
        this.registry = registry;
    }

    /** What an admission decided. */
    public sealed interface Admission {
        /** No budget covers any line of the batch: nothing was recorded. */
        record Unbudgeted() implements Admission {}

        /** A line's task is not in the database yet (its task.accepted is still on its way): try again soon. */
        record TasksPending(long missing) implements Admission {}

        /** Lines admitted (reserved), and lines kept back (failed or held) by this admission. */
        record Decided(long admitted, long refused, List<Crossing> crossings) implements Admission {}
    }

    /** A budget whose level passed one of its thresholds through this admission. */
    public record Crossing(Budget budget, Instant periodStart, BigDecimal threshold, BigDecimal levelUsd) {}

    public Admission admit(Connection c, BatchRow batch, Instant now) throws SQLException {
        List<Budget> budgets = Db.query(c, """
                SELECT * FROM budgets
                 WHERE active AND tenant IN (SELECT DISTINCT tenant FROM batch_items WHERE batch_id = ? AND refused IS NULL)
                 ORDER BY budget_id FOR UPDATE""", BudgetStore::map, batch.batchId());
        if (budgets.isEmpty()) {
            return new Admission.Unbudgeted();
        }
        Map<String, Level> levels = new HashMap<>();
        for (Budget b : budgets) {
            Instant start = b.period().start(now);
            levels.put(b.budgetId(), new Level(b, start, BudgetStore.level(c, b.budgetId(), start)));
        }
        Pricer pricer = new Pricer(batch.provider(), batch.model(), batch.mode(), now);
        List<Object[]> charges = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        List<Refusal> held = new ArrayList<>();
        long missing = 0;
        long admitted = 0;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT i.request_id, i.task_id, i.tenant, i.attempt, r.line, r.estimated_tokens, t.task_id IS NOT NULL,
                       t.job_id, t.metadata::text,
                       EXISTS (SELECT 1 FROM budget_charges ch WHERE ch.tenant = i.tenant AND ch.task_id = i.task_id),
                       t.not_after, i.adjustment -> 'cache_control' IS NOT NULL
                  FROM batch_items i JOIN requests r ON r.request_id = i.request_id
                  LEFT JOIN tasks t ON t.tenant = i.tenant AND t.task_id = i.task_id
                 WHERE i.batch_id = ? AND i.refused IS NULL
                 ORDER BY i.seq""")) {
            ps.setFetchSize(1_000);
            ps.setString(1, batch.batchId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String tenant = rs.getString(3);
                    if (tenant == null || budgets.stream().noneMatch(b -> b.tenant().equals(tenant))) {
                        continue;
                    }
                    if (!rs.getBoolean(7)) {
                        missing++;
                        continue;
                    }
                    if (rs.getBoolean(10)) {
                        continue; // reserved by an earlier attempt; settlement of this one replaces it
                    }
                    String requestId = rs.getString(1);
                    String taskId = rs.getString(2);
                    JsonNode metadata = Json.mapper().readTree(rs.getString(9));
                    List<Level> covering = new ArrayList<>();
                    for (Budget b : budgets) {
                        if (b.covers(tenant, rs.getString(8), metadata)) {
                            covering.add(levels.get(b.budgetId()));
                        }
                    }
                    if (covering.isEmpty()) {
                        continue;
                    }
                    Optional<BigDecimal> worst = pricer.worstCase(rs.getString(5), rs.getLong(6), rs.getBoolean(12));
                    Timestamp notAfter = rs.getTimestamp(11);
                    Refusal refusal = refusal(requestId, rs.getInt(4), covering, worst,
                            notAfter == null ? null : notAfter.toInstant(), now);
                    if (refusal != null) {
                        (refusal.holdUntil() == null ? refusals : held).add(refusal);
                        continue;
                    }
                    BigDecimal reserve = worst.orElse(BigDecimal.ZERO);
                    for (Level level : covering) {
                        level.add(reserve);
                        charges.add(new Object[] {level.budget.budgetId(), Timestamp.from(level.start), tenant, taskId,
                                requestId, batch.batchId(), reserve, Timestamp.from(now)});
                    }
                    admitted++;
                }
            }
        } catch (IOException e) {
            throw new SQLException("unreadable task metadata in batch " + batch.batchId(), e);
        }
        if (missing > 0) {
            return new Admission.TasksPending(missing);
        }
        writeCharges(c, charges);
        refuse(c, batch.batchId(), refusals, now);
        hold(c, batch.batchId(), held, now);
        List<Crossing> crossings = new ArrayList<>();
        for (Level level : levels.values()) {
            crossings.addAll(level.crossings());
        }
        alert(c, crossings, now);
        return new Admission.Decided(admitted, refusals.size() + held.size(), crossings);
    }

    /**
     * Records each threshold crossed and writes its budget.threshold event to the outbox, once per
     * budget, period and threshold, in the admission's transaction.
     */
    private static void alert(Connection c, List<Crossing> crossings, Instant now) throws SQLException {
        for (Crossing x : crossings) {
            Budget b = x.budget();
            int recorded = Db.update(c, """
                    INSERT INTO budget_alerts (budget_id, period_start, threshold, level_usd, crossed_at)
                    VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""", b.budgetId(), x.periodStart(), x.threshold(),
                    x.levelUsd(), now);
            if (recorded == 0) {
                continue;
            }
            String eventId = "bt-" + b.budgetId() + "-" + x.periodStart() + "-" + x.threshold().stripTrailingZeros()
                    .toPlainString();
            BudgetThreshold event = new BudgetThreshold(eventId, b.budgetId(), b.tenant(), b.jobId(), b.metadataKey(),
                    b.metadataValue(), b.period().db(), x.periodStart(), b.mode().db(),
                    x.threshold().stripTrailingZeros(), b.limitUsd(), x.levelUsd(), now);
            OutboxStore.event(c, eventId, Topics.BUDGET_EVENTS.name(), b.budgetId(), Json.write(event), now);
            log.warn("budget {} ({}) reached {}% of its ${} limit: ${} spent and reserved", b.budgetId(), b.scope(),
                    x.threshold().movePointRight(2).stripTrailingZeros().toPlainString(), b.limitUsd().toPlainString(),
                    x.levelUsd().toPlainString());
        }
    }

    /**
     * Why the line may not go now, or null when every budget covering it has room. A hard budget it
     * would take over its limit fails it; otherwise a hold budget holds it until that budget's next
     * period, unless its task's deadline comes first (then it fails too).
     */
    private static Refusal refusal(String requestId, int attempt, List<Level> covering, Optional<BigDecimal> worst,
            Instant notAfter, Instant now) {
        String holdReason = null;
        Instant holdUntil = null;
        for (Level level : covering) {
            Budget b = level.budget;
            if (!b.mode().stops()) {
                continue;
            }
            if (worst.isEmpty()) {
                return new Refusal(requestId, attempt, "budget " + b.budgetId() + " (" + b.scope() + ") is "
                        + b.mode().db() + " and this line's model has no price: such a budget admits only lines it"
                        + " can price", null);
            }
            if (level.level.add(worst.get()).compareTo(b.limitUsd()) <= 0) {
                continue;
            }
            String reason = "budget " + b.budgetId() + " (" + b.scope() + "; " + b.period().words() + ") limit $"
                    + b.limitUsd().toPlainString() + ": spent and reserved $" + level.level.toPlainString()
                    + ", this line needs up to $" + worst.get().toPlainString();
            if (b.mode() == Budget.Mode.HARD) {
                return new Refusal(requestId, attempt, reason, null);
            }
            Instant next = b.period().next(now);
            if (holdUntil == null || next.isAfter(holdUntil)) {
                holdUntil = next;
                holdReason = reason;
            }
        }
        if (holdUntil == null) {
            return null;
        }
        if (notAfter != null && !notAfter.isAfter(holdUntil)) {
            return new Refusal(requestId, attempt, holdReason + "; it would wait until " + holdUntil
                    + ", after the task's deadline " + notAfter, null);
        }
        return new Refusal(requestId, attempt, "held until " + holdUntil + " by " + holdReason, holdUntil);
    }

    private static void writeCharges(Connection c, List<Object[]> charges) throws SQLException {
        if (charges.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO budget_charges (budget_id, period_start, tenant, task_id, request_id, batch_id,
                                            reserved_usd, reserved_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (Object[] row : charges) {
                for (int i = 0; i < row.length; i++) {
                    ps.setObject(i + 1, row[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Keeps the refused lines out of the upload, gives each request an errored final result that
     * costs nothing, and fails their tasks with the reason, all in the admission's transaction.
     */
    private static void refuse(Connection c, String batchId, List<Refusal> refusals, Instant now)
            throws SQLException {
        if (refusals.isEmpty()) {
            return;
        }
        Map<String, String> reasons = new java.util.LinkedHashMap<>();
        refusals.forEach(r -> reasons.put(r.requestId(), r.reason()));
        FollowUpBatches.keepBack(c, batchId, reasons);
        try (PreparedStatement result = c.prepareStatement("""
                     INSERT INTO results (request_id, batch_id, attempt, status, error_code, error_message, retryable,
                                          input_tokens, cached_input_tokens, cache_write_5m_tokens,
                                          cache_write_1h_tokens, output_tokens, reasoning_tokens, cost_usd,
                                          sync_cost_usd, list_cost_usd, settled_at, final)
                     VALUES (?, ?, ?, 'errored', ?, ?, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?, true)""")) {
            for (Refusal r : refusals) {
                result.setString(1, r.requestId);
                result.setString(2, batchId);
                result.setInt(3, r.attempt);
                result.setString(4, REFUSED_CODE);
                result.setString(5, r.reason);
                result.setTimestamp(6, Timestamp.from(now));
                result.addBatch();
            }
            result.executeBatch();
        }
        TaskCompletion.endRefused(c, batchId, REFUSED_CODE, now);
    }

    /**
     * Moves held lines out of the batch into a batch of their own per moment they wait for, ready at
     * that moment: their tasks stay open, and the new batch is admitted again then, as any batch is.
     */
    private static void hold(Connection c, String batchId, List<Refusal> held, Instant now) throws SQLException {
        if (held.isEmpty()) {
            return;
        }
        Map<String, String> reasons = new java.util.LinkedHashMap<>();
        held.forEach(r -> reasons.put(r.requestId(), r.reason()));
        FollowUpBatches.keepBack(c, batchId, reasons);
        Map<Instant, List<String>> byMoment = new java.util.TreeMap<>();
        for (Refusal r : held) {
            byMoment.computeIfAbsent(r.holdUntil(), k -> new ArrayList<>()).add(r.requestId());
        }
        for (Map.Entry<Instant, List<String>> e : byMoment.entrySet()) {
            String heldId = FollowUpBatches.id(batchId + ":held:" + e.getKey(), "-held");
            List<String> ids = e.getValue();
            FollowUpBatches.create(c, heldId, batchId, ids, "budget_hold", null, e.getKey(), now);
            log.info("batch {}: {} lines held by a budget until {} in batch {}", batchId, ids.size(), e.getKey(), heldId);
        }
    }

    /** A line kept back: failed with {@code reason}, or (with {@code holdUntil}) held until then. */
    private record Refusal(String requestId, int attempt, String reason, Instant holdUntil) {}

    /** A budget's level in the period being admitted into, as this admission moves it. */
    private static final class Level {
        final Budget budget;
        final Instant start;
        final BigDecimal before;
        BigDecimal level;

        Level(Budget budget, Instant start, BigDecimal before) {
            this.budget = budget;
            this.start = start;
            this.before = before;
            this.level = before;
        }

        void add(BigDecimal amount) {
            level = level.add(amount);
        }

        List<Crossing> crossings() {
            List<Crossing> crossed = new ArrayList<>();
            for (BigDecimal threshold : budget.thresholds()) {
                BigDecimal at = budget.limitUsd().multiply(threshold);
                if (before.compareTo(at) < 0 && level.compareTo(at) >= 0) {
                    crossed.add(new Crossing(budget, start, threshold, level));
                }
            }
            return crossed;
        }
    }

    /** Worst-case cost of one line of the batch's model in the batch's mode, priced with the row in force now. */
    private final class Pricer {
        private final Optional<PriceEntry> price;
        private final long maxOutput;
        private final Provider provider;
        private final Mode mode;

        Pricer(Provider provider, String model, Mode mode, Instant now) {
            this.mode = mode;
            this.provider = provider;
            Optional<ModelInfo> info = registry.find(provider, model);
            this.price = info.flatMap(m -> m.priceAt(now).or(() -> Optional.of(m.latestPrice())));
            this.maxOutput = info.map(ModelInfo::maxOutputTokens).orElse(0L);
        }

        /** @param addedBreakpoint Offpeak adds a cache breakpoint to this line ({@code PromptCaching}) */
        Optional<BigDecimal> worstCase(String line, long inputTokens, boolean addedBreakpoint) throws IOException {
            if (price.isEmpty()) {
                return Optional.empty();
            }
            JsonNode request = requestOf(Json.mapper().readTree(line));
            long output = OutputCap.of(request).orElse(maxOutput);
            // at the rates of the mode the batch runs in: a rescue's synchronous lines reserve the list price
            BigDecimal worst = Cost.of(new Usage(inputTokens, 0, 0, 0, output, 0), price.get(), mode).batchUsd();
            if (addedBreakpoint || line.contains("\"cache_control\"")) {
                // a cache write can bill above the plain input rate: take the dearer of each way to bill the prompt
                worst = worst.max(Cost.of(new Usage(0, 0, inputTokens, 0, output, 0), price.get(), mode).batchUsd())
                        .max(Cost.of(new Usage(0, 0, 0, inputTokens, output, 0), price.get(), mode).batchUsd());
            }
            return Optional.of(worst);
        }

        /** The request inside a provider-format line. */
        private JsonNode requestOf(JsonNode line) {
            return switch (provider) {
                case OPENAI -> line.path("body");
                case ANTHROPIC -> line.path("params");
                case GEMINI -> line.path("request");
            };
        }
    }
}
