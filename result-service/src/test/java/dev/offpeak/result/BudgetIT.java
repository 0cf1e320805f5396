package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.emulator.Provider;
import dev.offpeak.result.MoneyPathIT.SimulatedCrash;
import dev.offpeak.result.PipelineFixture.Batch;
import dev.offpeak.result.budget.Budget;
import dev.offpeak.result.budget.BudgetStore;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.EventTypes;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.validation.SchemaValidator;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budgets hold: reservation at admission, exact settlement, refusals before upload, alerts; real Kafka and Postgres. */
@RealKafka
@RealPostgres
class BudgetIT {
    @TempDir
    Path temp;

    /** The worst case of one fixture line on the OpenAI lane: 20 estimated input tokens, max_tokens 16, batch rate. */
    private static BigDecimal worstPerLine(MoneyPathHarness h) {
        var price = ModelRegistry.loadDefault().priceAt(PipelineFixture.OPENAI.provider(),
                PipelineFixture.OPENAI.model(), h.clock.instant()).orElseThrow();
        return Cost.of(new Usage(20, 0, 0, 0, 16, 0), price).batchUsd();
    }

    @Test
    void aJobOverItsHardBudgetSendsExactlyTheTasksThatFitAndFailsTheRestWithTheReason(KafkaCluster kafka,
            DataSource ds) throws IOException {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            BigDecimal perLine = worstPerLine(h);
            // room for 10 lines and a half
            BigDecimal limit = perLine.multiply(new BigDecimal("10.5"));
            new BudgetStore(h.db).put(new Budget("job-cap", "acme", "job-1", null, null, Budget.Period.NONE, limit,
                    Budget.Mode.HARD, Budget.DEFAULT_THRESHOLDS, true), h.clock.instant());

            Batch first = PipelineFixture.batch("b-budget-1", PipelineFixture.OPENAI, 25, 3, h.clock.instant());
            h.publish(first);
            h.intakeUntil(28, 1);
            h.runUntilQuiet(60);

            assertThat(h.emulator.counters().batchesCreated(Provider.OPENAI)).isEqualTo(1);
            assertThat(h.count("SELECT submitted_count FROM batches WHERE batch_id = 'b-budget-1'")).isEqualTo(10);
            assertThat(h.count("SELECT count(*) FROM results WHERE status = 'succeeded'")).isEqualTo(10);
            // the first ten lines went, with the three duplicates of the first; the other fifteen did not
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(13);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'failed' AND error_code = 'budget_exceeded'"))
                    .isEqualTo(15);
            assertThat(h.text("SELECT error_message FROM tasks WHERE task_id = 'b-budget-1-t24'"))
                    .contains("budget job-cap", "tenant acme, job job-1", "limit $" + limit.toPlainString(),
                            "this line needs up to $" + perLine.toPlainString());
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'failed' AND cost_usd <> 0")).isZero();

            // settlement replaced the worst cases by exact costs, which left room; the owner lowers the limit
            // to what is spent, so a second batch of the job finds no room at all and nothing is sent
            BigDecimal spentSoFar = h.db.queryOne("SELECT sum(spent_usd) FROM budget_charges",
                    rs -> rs.getBigDecimal(1)).orElseThrow();
            assertThat(spentSoFar).isPositive().isLessThanOrEqualTo(perLine.multiply(BigDecimal.TEN));
            new BudgetStore(h.db).put(new Budget("job-cap", "acme", "job-1", null, null, Budget.Period.NONE,
                    spentSoFar, Budget.Mode.HARD, Budget.DEFAULT_THRESHOLDS, true), h.clock.instant());
            Batch second = PipelineFixture.batch("b-budget-2", PipelineFixture.OPENAI,
                    List.of(PipelineFixture.task(PipelineFixture.OPENAI, "acme", "late-1", "one more review"),
                            PipelineFixture.task(PipelineFixture.OPENAI, "acme", "late-2", "and another one")),
                    0, h.clock.instant());
            h.publish(second);
            h.intakeUntil(30, 2);
            h.runUntilQuiet(60);
            assertThat(h.emulator.counters().batchesCreated(Provider.OPENAI)).isEqualTo(1);
            assertThat(h.text("SELECT state || ' ' || submitted_count FROM batches WHERE batch_id = 'b-budget-2'"))
                    .isEqualTo("settled 0");
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'accepted'")).isZero();

            BigDecimal spent = h.db.queryOne("SELECT sum(spent_usd) FROM budget_charges", rs -> rs.getBigDecimal(1))
                    .orElseThrow();
            assertThat(spent).isEqualByComparingTo(spentSoFar).isLessThanOrEqualTo(limit);
            assertThat(h.count("SELECT count(*) FROM budget_charges WHERE state = 'reserved' OR reserved_usd <> 0"))
                    .isZero();
            assertLedgerMatchesResults(h);
            // every task's event says how it ended, the refused ones with the budget's reason
            List<JsonNode> events = h.pendingEvents().stream().map(BudgetIT::tree)
                    .filter(e -> e.get("type").asText().equals("task.completed")).toList();
            assertThat(events).hasSize(30);
            List<JsonNode> refused = events.stream()
                    .filter(e -> e.path("error").path("code").asText().equals("budget_exceeded")).toList();
            assertThat(refused).hasSize(17).allSatisfy(e -> {
                assertThat(e.get("status").asText()).isEqualTo("failed");
                assertThat(e.has("provider_batch_id")).as("a refused line reached no provider batch").isFalse();
            });
        }
    }

    @Test
    void aSoftBudgetSendsEverythingAndAlertsOncePerThreshold(KafkaCluster kafka, DataSource ds) throws IOException {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            BigDecimal perLine = worstPerLine(h);
            BigDecimal limit = perLine.multiply(new BigDecimal("6"));
            new BudgetStore(h.db).put(new Budget("daily-soft", "acme", null, null, null, Budget.Period.DAY, limit,
                    Budget.Mode.SOFT, Budget.DEFAULT_THRESHOLDS, true), h.clock.instant());
            // 4 lines: 66 % of the limit (crosses 50 %); then 6 more: 166 % (crosses 80 % and 100 %); then 2 more
            runBatch(h, "b-soft-1", 4, 4);
            assertThat(thresholdEvents(h)).containsExactly("0.5");
            runBatch(h, "b-soft-2", 6, 10);
            runBatch(h, "b-soft-3", 2, 12);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(12);
            assertThat(thresholdEvents(h)).containsExactlyInAnyOrder("0.5", "0.8", "1");
            assertThat(h.count("SELECT count(*) FROM budget_alerts")).isEqualTo(3);
            for (String payload : h.db.query("SELECT payload::text FROM outbox WHERE topic = 'offpeak.budget-events'",
                    rs -> rs.getString(1))) {
                JsonNode event = Json.mapper().readTree(payload);
                assertThat(SchemaValidator.get().validate(EventTypes.BUDGET_THRESHOLD, event)).as(payload).isEmpty();
                assertThat(event.get("budget_id").asText()).isEqualTo("daily-soft");
                assertThat(new BigDecimal(event.get("level_usd").asText()))
                        .isGreaterThanOrEqualTo(limit.multiply(new BigDecimal(event.get("threshold").asText())));
            }
            assertLedgerMatchesResults(h);
        }
    }

    @Test
    void aProcessKilledBetweenReservationAndSettlementLeavesTheBudgetExact(KafkaCluster kafka, DataSource ds) {
        Submitter.CrashPoint dieOnce = SimulatedCrash.once();
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, dieOnce)) {
            BigDecimal perLine = worstPerLine(h);
            BigDecimal limit = perLine.multiply(new BigDecimal("5"));
            new BudgetStore(h.db).put(new Budget("tenant-month", "acme", null, null, null, Budget.Period.MONTH, limit,
                    Budget.Mode.HARD, Budget.DEFAULT_THRESHOLDS, true), h.clock.instant());
            h.publish(PipelineFixture.batch("b-crash", PipelineFixture.OPENAI, 8, 0, h.clock.instant()));
            h.intakeUntil(8, 1);
            assertThatThrownBy(() -> h.parts.submitter().submitOnce()).isInstanceOf(SimulatedCrash.class);
            // the admission committed with the intent: five reserved, three refused, one provider batch
            assertThat(h.count("SELECT count(*) FROM budget_charges WHERE state = 'reserved'")).isEqualTo(5);
            assertThat(h.db.queryOne("SELECT sum(reserved_usd) FROM budget_charges", rs -> rs.getBigDecimal(1))
                    .orElseThrow()).isEqualByComparingTo(perLine.multiply(new BigDecimal("5")));
            assertThat(h.count("SELECT count(*) FROM tasks WHERE error_code = 'budget_exceeded'")).isEqualTo(3);
            // the dead submitter's lease runs out; the next adopts the provider batch and settles it
            h.clock.advance(Duration.ofMinutes(6));
            h.runUntilQuiet(60);
            assertThat(h.emulator.counters().batchesCreated(Provider.OPENAI)).isEqualTo(1);
            assertThat(h.count("SELECT count(*) FROM budget_charges WHERE state = 'settled'")).isEqualTo(5);
            assertThat(h.count("SELECT count(*) FROM budget_charges")).isEqualTo(5);
            assertLedgerMatchesResults(h);
        }
    }

    @Test
    void aHoldBudgetKeepsWhatDoesNotFitForTheNextPeriodUnlessTheDeadlineComesFirst(KafkaCluster kafka,
            DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            BigDecimal perLine = worstPerLine(h);
            new BudgetStore(h.db).put(new Budget("daily-hold", "acme", null, null, null, Budget.Period.DAY,
                    perLine.multiply(new BigDecimal("3.5")), Budget.Mode.HOLD, Budget.DEFAULT_THRESHOLDS, true),
                    h.clock.instant());
            Batch batch = PipelineFixture.batch("b-hold", PipelineFixture.OPENAI, 6, 0, h.clock.instant());
            // the last task must be done within the hour: it cannot wait for tomorrow
            List<TaskAccepted> accepted = new ArrayList<>(batch.accepted());
            TaskAccepted last = accepted.removeLast();
            accepted.add(new TaskAccepted(last.taskId(), last.tenant(), last.jobId(), last.requestId(), last.provider(),
                    last.model(), last.endpoint(), last.lane(), last.duplicate(), last.originalTaskId(),
                    last.estimatedInputTokens(), last.estimatedCostUsd(), last.metadata(),
                    h.clock.instant().plus(Duration.ofHours(1)), last.submittedAt(), last.acceptedAt()));
            h.publish(new Batch(batch.batchId(), batch.lane(), batch.originals(), accepted, batch.records()));
            h.intakeUntil(6, 1);
            for (int round = 0; round < 10 && h.count("SELECT count(*) FROM batches WHERE batch_id = 'b-hold'"
                    + " AND state = 'settled'") == 0; round++) {
                h.parts.submitter().submitOnce();
                h.parts.poller().pollOnce();
                h.clock.advance(Duration.ofMinutes(1));
            }
            assertThat(h.count("SELECT submitted_count FROM batches WHERE batch_id = 'b-hold'")).isEqualTo(3);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(3);
            assertThat(h.text("SELECT error_message FROM tasks WHERE task_id = 'b-hold-t5'"))
                    .contains("budget daily-hold", "after the task's deadline");
            // two lines wait in a batch of their own, ready at the next UTC midnight
            Instant midnight = Budget.Period.DAY.next(h.clock.instant());
            assertThat(h.text("SELECT state || ' ' || expected_count || ' ' || close_reason FROM batches"
                    + " WHERE batch_id LIKE '%-held'")).isEqualTo("ready 2 budget_hold");
            assertThat(h.db.queryOne("SELECT next_attempt_at FROM batches WHERE batch_id LIKE '%-held'",
                    rs -> rs.getTimestamp(1).toInstant()).orElseThrow()).isEqualTo(midnight);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'accepted'")).isEqualTo(2);
            h.parts.submitter().submitOnce();
            assertThat(h.emulator.counters().batchesCreated(Provider.OPENAI)).as("not before midnight").isEqualTo(1);

            h.clock.advance(Duration.between(h.clock.instant(), midnight));
            h.runUntilQuiet(60);
            assertThat(h.emulator.counters().batchesCreated(Provider.OPENAI)).isEqualTo(2);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(5);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'failed'")).isEqualTo(1);
            // three lines charged to the first day, two to the second
            assertThat(h.db.query("SELECT count(*) FROM budget_charges GROUP BY period_start ORDER BY period_start",
                    rs -> rs.getLong(1))).containsExactly(3L, 2L);
            assertLedgerMatchesResults(h);
        }
    }

    @Test
    void aHardBudgetNeverLetsThroughALineItCannotPrice(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            new BudgetStore(h.db).put(new Budget("strict", "acme", null, null, null, Budget.Period.MONTH,
                    new BigDecimal("1000"), Budget.Mode.HARD, Budget.DEFAULT_THRESHOLDS, true), h.clock.instant());
            PipelineFixture.Lane unpriced = new PipelineFixture.Lane(PipelineFixture.OPENAI.provider(),
                    PipelineFixture.OPENAI.endpoint(), "gpt-not-in-the-registry");
            h.publish(PipelineFixture.batch("b-unpriced", unpriced, 3, 0, h.clock.instant()));
            h.intakeUntil(3, 1);
            h.runUntilQuiet(10);
            assertThat(h.emulator.counters().batchesCreated(Provider.OPENAI)).isZero();
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'failed' AND error_code = 'budget_exceeded'"
                    + " AND error_message LIKE '%has no price%'")).isEqualTo(3);
            assertThat(h.count("SELECT count(*) FROM budget_charges")).isZero();
        }
    }

    private static void runBatch(MoneyPathHarness h, String batchId, int lines, int tasksSoFar) {
        h.publish(PipelineFixture.batch(batchId, PipelineFixture.OPENAI, lines, 0, h.clock.instant()));
        h.intakeUntil(tasksSoFar, (int) h.count("SELECT count(*) FROM batches") + 1);
        h.runUntilQuiet(60);
    }

    private static List<String> thresholdEvents(MoneyPathHarness h) {
        return h.db.query("SELECT payload->>'threshold' FROM outbox WHERE topic = 'offpeak.budget-events'",
                rs -> rs.getString(1));
    }

    /**
     * The ledger against the results: every budget's spend is the cost of the final results its tasks
     * paid for, to 1e-9 USD (here: exactly), and no settled line is missing from it.
     */
    private static void assertLedgerMatchesResults(MoneyPathHarness h) {
        List<String> differences = h.db.query("""
                SELECT b.budget_id || ': ledger ' || coalesce(l.spent, 0) || ', results ' || coalesce(r.cost, 0)
                  FROM budgets b
                  LEFT JOIN (SELECT budget_id, sum(spent_usd) AS spent FROM budget_charges GROUP BY budget_id) l
                         ON l.budget_id = b.budget_id
                  LEFT JOIN (SELECT ch.budget_id, sum(r.cost_usd) AS cost
                               FROM budget_charges ch
                               JOIN batch_items bi ON bi.tenant = ch.tenant AND bi.task_id = ch.task_id
                               JOIN results r ON r.batch_id = bi.batch_id AND r.request_id = bi.request_id AND r.final
                              GROUP BY ch.budget_id) r ON r.budget_id = b.budget_id
                 WHERE abs(coalesce(l.spent, 0) - coalesce(r.cost, 0)) > 0.000000001""", rs -> rs.getString(1));
        assertThat(differences).isEmpty();
        // every line that cost money was charged to the budget covering its task
        assertThat(h.count("""
                SELECT count(*) FROM results r
                  JOIN batch_items bi ON bi.batch_id = r.batch_id AND bi.request_id = r.request_id
                 WHERE r.final AND r.cost_usd > 0
                   AND NOT EXISTS (SELECT 1 FROM budget_charges ch WHERE ch.tenant = bi.tenant AND ch.task_id = bi.task_id)
                """)).isZero();
    }

    private static JsonNode tree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
