package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.emulator.Faults;
import dev.offpeak.result.PipelineFixture.Batch;
import dev.offpeak.result.PipelineFixture.Lane;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The money path per provider, against real Kafka, real Postgres and the provider emulator. */
@RealKafka
@RealPostgres
class MoneyPathIT {
    @TempDir
    Path temp;

    static Stream<Lane> lanes() {
        return Stream.of(PipelineFixture.OPENAI, PipelineFixture.ANTHROPIC, PipelineFixture.GEMINI);
    }

    private static dev.offpeak.emulator.Provider emu(Lane lane) {
        return dev.offpeak.emulator.Provider.valueOf(lane.provider().name());
    }

    @ParameterizedTest
    @MethodSource("lanes")
    void normalBatchSettlesEveryLineAndEveryTaskWithItsExactCost(Lane lane, KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            Batch batch = PipelineFixture.batch("b-normal-" + lane.provider().id(), lane, 5, 2, h.clock.instant());
            h.publish(batch);
            h.intakeUntil(7, 1);
            h.runUntilQuiet(60);

            assertThat(h.text("SELECT state FROM batches")).isEqualTo("settled");
            assertThat(h.count("SELECT succeeded_count FROM batches")).isEqualTo(5);
            assertThat(h.count("SELECT count(*) FROM results WHERE status = 'succeeded'")).isEqualTo(5);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(7);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'accepted'")).isZero();
            assertThat(h.emulator.counters().batchesCreated(emu(lane))).isEqualTo(1);
            // every line was billed and cost something; the batch price is half the sync price
            assertThat(h.count("SELECT count(*) FROM results WHERE cost_usd > 0 AND sync_cost_usd = 2 * cost_usd")).isEqualTo(5);
            // the duplicates cost nothing and saved the whole synchronous price of the shared answer
            assertThat(h.count("""
                    SELECT count(*) FROM tasks t JOIN results r ON r.request_id = t.request_id
                     WHERE t.duplicate AND t.cost_usd = 0 AND t.saved_usd = r.sync_cost_usd""")).isEqualTo(2);
            BigDecimal billed = h.db.queryOne("SELECT sum(cost_usd) FROM tasks", rs -> rs.getBigDecimal(1)).orElseThrow();
            BigDecimal results = h.db.queryOne("SELECT sum(cost_usd) FROM results", rs -> rs.getBigDecimal(1)).orElseThrow();
            assertThat(billed).isEqualByComparingTo(results);
            new CostRecomputation(h.db).assertEveryStoredCostIsExact();
        }
    }

    @ParameterizedTest
    @MethodSource("lanes")
    void crashBetweenCreateAndCommitLeavesExactlyOneProviderBatch(Lane lane, KafkaCluster kafka, DataSource ds) {
        Submitter.CrashPoint dieOnce = SimulatedCrash.once();
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, dieOnce)) {
            h.publish(PipelineFixture.batch("b-crash-" + lane.provider().id(), lane, 4, 0, h.clock.instant()));
            h.intakeUntil(4, 1);
            assertThatThrownBy(() -> h.parts.submitter().submitOnce()).isInstanceOf(SimulatedCrash.class);
            assertThat(h.text("SELECT state FROM batches")).isEqualTo("submitting");
            assertThat(h.emulator.counters().batchesCreated(emu(lane))).isEqualTo(1);
            // the dead submitter's lease runs out; the next one finds the provider batch instead of creating one
            h.clock.advance(Duration.ofMinutes(6));
            h.runUntilQuiet(60);
            assertThat(h.emulator.counters().batchesCreated(emu(lane))).isEqualTo(1);
            assertThat(h.text("SELECT state FROM batches")).isEqualTo("settled");
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(4);
        }
    }

    @ParameterizedTest
    @MethodSource("lanes")
    void retryableFaultsOnCreatePollAndDownloadAreRetriedWithoutADuplicate(Lane lane, KafkaCluster kafka,
            DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            Faults faults = h.emulator.faults();
            faults.failNext(emu(lane), "create_batch", 2, 429, Duration.ofSeconds(20));
            faults.failNext(emu(lane), "get_batch", 2, 503, null);
            faults.failNext(emu(lane), lane.provider().id().equals("anthropic") ? "results" : "file_content", 1, 500,
                    null);
            h.publish(PipelineFixture.batch("b-faults-" + lane.provider().id(), lane, 3, 0, h.clock.instant()));
            h.intakeUntil(3, 1);
            h.runUntilQuiet(120);
            assertThat(h.text("SELECT state FROM batches")).isEqualTo("settled");
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(3);
            assertThat(h.emulator.counters().batchesCreated(emu(lane))).isEqualTo(1);
            assertThat(h.count("SELECT submit_attempts FROM batches")).isGreaterThanOrEqualTo(3);
        }
    }

    @ParameterizedTest
    @MethodSource("lanes")
    void expiryWithPartialResultsSettlesFinishedLinesAndExpiresTheRest(Lane lane, KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            h.emulator.faults().expireNextBatchAfterLines(emu(lane), 2);
            h.publish(PipelineFixture.batch("b-expire-" + lane.provider().id(), lane, 5, 0, h.clock.instant()));
            h.intakeUntil(5, 1);
            h.runUntilQuiet(60 * 50);
            assertThat(h.text("SELECT state FROM batches")).isEqualTo("settled");
            long succeeded = h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'");
            long expired = h.count("SELECT count(*) FROM tasks WHERE status = 'expired'");
            assertThat(succeeded + expired).isEqualTo(5);
            assertThat(expired).isPositive();
            assertThat(h.count("SELECT succeeded_count + errored_count + expired_count + cancelled_count FROM batches"))
                    .isEqualTo(5);
            assertThat(h.count("SELECT count(*) FROM results WHERE status = 'expired' AND cost_usd = 0")).isEqualTo(expired);
        }
    }

    @ParameterizedTest
    @MethodSource("lanes")
    void batchWithEveryLineFailedEndsEveryTaskFailedAndBillsNothing(Lane lane, KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            h.emulator.faults().failAllLinesOfNextBatch(emu(lane));
            h.publish(PipelineFixture.batch("b-allfail-" + lane.provider().id(), lane, 3, 1, h.clock.instant()));
            h.intakeUntil(4, 1);
            h.runUntilQuiet(60);
            assertThat(h.text("SELECT state FROM batches")).isEqualTo("settled");
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'failed'")).isEqualTo(4);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE error_message IS NOT NULL")).isEqualTo(4);
            assertThat(h.db.queryOne("SELECT sum(cost_usd) FROM tasks", rs -> rs.getBigDecimal(1)).orElseThrow())
                    .isEqualByComparingTo(BigDecimal.ZERO);
            assertThat(h.count("SELECT count(*) FROM batches WHERE count_mismatch")).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("lanes")
    void cancelledBatchSettlesWithCancelledLines(Lane lane, KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            h.publish(PipelineFixture.batch("b-cancel-" + lane.provider().id(), lane, 3, 0, h.clock.instant()));
            h.intakeUntil(3, 1);
            h.parts.submitter().submitOnce();
            String providerBatchId = h.text("SELECT provider_batch_id FROM batches");
            assertThat(h.client(lane.provider()).cancel(providerBatchId).isOk()).isTrue();
            h.runUntilQuiet(60);
            assertThat(h.text("SELECT state FROM batches")).isEqualTo("settled");
            long cancelled = h.count("SELECT count(*) FROM tasks WHERE status = 'cancelled'");
            long succeeded = h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'");
            assertThat(cancelled + succeeded).isEqualTo(3);
            assertThat(cancelled).isPositive();
        }
    }

    /** Providers with an enqueued-token quota per model; Anthropic limits queued requests (a 429, covered above). */
    static Stream<Lane> quotaLanes() {
        return Stream.of(PipelineFixture.OPENAI, PipelineFixture.GEMINI);
    }

    @ParameterizedTest
    @MethodSource("quotaLanes")
    void enqueuedTokenQuotaExceededWaitsAndSucceedsLater(Lane lane, KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            h.emulator.faults().setEnqueuedTokenQuota(emu(lane), lane.model(), 1);
            h.publish(PipelineFixture.batch("b-quota-" + lane.provider().id(), lane, 3, 0, h.clock.instant()));
            h.intakeUntil(3, 1);
            for (int i = 0; i < 5; i++) {
                h.parts.submitter().submitOnce();
                h.parts.poller().pollOnce();
                h.clock.advance(Duration.ofMinutes(1));
            }
            if (lane.provider() == dev.offpeak.schemas.events.Provider.OPENAI) {
                // OpenAI accepts the batch, then fails it with token_limit_exceeded: back-pressure, not an error
                assertThat(h.count("SELECT token_limit_hits FROM batches")).isPositive();
            } else {
                // Gemini refuses the create with 429 RESOURCE_EXHAUSTED: retried later, nothing created
                assertThat(h.emulator.counters().batchesCreated(emu(lane))).isZero();
                assertThat(h.text("SELECT last_error FROM batches")).contains("429");
            }
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'accepted'")).isEqualTo(3);
            h.emulator.faults().setEnqueuedTokenQuota(emu(lane), lane.model(), 10_000_000);
            h.clock.advance(Duration.ofMinutes(15));
            h.runUntilQuiet(120);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(3);
            assertThat(h.count("SELECT count(*) FROM batches WHERE state = 'settled'")).isEqualTo(1);
        }
    }

    /** The process dying: an Error, so no recovery code of the submitter (which handles exceptions) runs. */
    static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash() {
            super("simulated crash between the provider's answer and the database commit");
        }

        /** A submitter crash point that dies the first time the provider has created a batch. */
        static Submitter.CrashPoint once() {
            boolean[] died = {false};
            return (batchId, created) -> {
                if (!died[0]) {
                    died[0] = true;
                    throw new SimulatedCrash();
                }
            };
        }
    }
}
