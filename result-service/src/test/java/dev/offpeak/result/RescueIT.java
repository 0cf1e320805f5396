package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.result.PipelineFixture.Task;
import dev.offpeak.result.poll.Rescue;
import dev.offpeak.result.provider.RetryPolicy;
import dev.offpeak.result.read.JobReport;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.result.submit.SyncRunner;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deadline rescue end to end on the emulator's clock (real Kafka, real PostgreSQL): a batch that
 * cannot finish before its tasks' {@code not_after} is cancelled within the rescue buffer, the lines
 * the provider finished settle from the batch, the others run synchronously, every task ends before
 * its deadline, no line is billed twice, and the report shows what the rescue cost over batch. A
 * model with a flex tier is rescued by flex, at its flex price.
 */
@RealKafka
@RealPostgres
class RescueIT {
    private static final ModelRegistry REGISTRY = ModelRegistry.loadDefault();
    /** One line every 8 minutes: six lines would take 48 minutes, the deadline is in 40. */
    private static final EmulatorConfig.Speed SLOW = new EmulatorConfig.Speed(1.0 / 480, Duration.ZERO,
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5));

    @TempDir
    Path temp;

    @Test
    void aBatchThatWouldMissItsDeadlineIsRescuedAndEveryTaskEndsInTime(KafkaCluster kafka, DataSource ds)
            throws Exception {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE,
                new Retries(3, Duration.ofMinutes(1)), tenant -> true, config -> config.withSpeed(SLOW))) {
            h.parts.submitter().withSyncRunner(new SyncRunner(h.parts.batches(), h.syncClients(), h.parts.settlement(),
                    new RetryPolicy(4, Duration.ofMillis(10), 2.0, 0.0, Duration.ofMillis(100)), 3, h.clock,
                    new Random(7), h.metrics));
            h.parts.poller().withRescue(new Rescue(Duration.ofMinutes(30), Set.of(Provider.OPENAI, Provider.ANTHROPIC),
                    (p, m) -> REGISTRY.find(p, m).map(info -> info.offersFlex()).orElse(false)));

            Instant deadline = h.clock.instant().plus(Duration.ofMinutes(40));
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                tasks.add(PipelineFixture.withDeadline(PipelineFixture.task(PipelineFixture.OPENAI, "acme",
                        "late-" + i, "summarise ticket " + i), deadline));
            }
            h.publish(PipelineFixture.batch("b-rescue", PipelineFixture.OPENAI, tasks, 0, h.clock.instant()));
            h.intakeUntil(tasks.size(), 1);
            h.runUntilQuiet(60);

            // one provider batch, cancelled ten minutes before the rescue buffer ran out
            assertThat(h.emulator.counters().batchesCreated(dev.offpeak.emulator.Provider.OPENAI)).isEqualTo(1);
            assertThat(h.text("SELECT rescue_mode FROM batches WHERE batch_id = 'b-rescue'")).isEqualTo("sync");
            assertThat(h.text("SELECT mode FROM batches WHERE close_reason = 'rescue'")).isEqualTo("sync");
            // every task succeeded, before its deadline
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded' AND completed_at <= not_after"))
                    .isEqualTo(6);
            // each request has exactly one answer that was billed: a line the batch finished never ran again
            assertThat(h.count("SELECT count(*) FROM results WHERE status = 'succeeded'")).isEqualTo(6);
            assertThat(h.count("SELECT count(DISTINCT request_id) FROM results WHERE status = 'succeeded'")).isEqualTo(6);
            long inBatch = h.count("SELECT count(*) FROM results WHERE status = 'succeeded' AND mode = 'batch'");
            long bySync = h.count("SELECT count(*) FROM results WHERE status = 'succeeded' AND mode = 'sync'");
            assertThat(inBatch).as("the lines the batch finished before the rescue").isBetween(1L, 5L);
            assertThat(bySync).isEqualTo(6 - inBatch);
            assertThat(h.count("SELECT count(*) FROM sync_calls")).isEqualTo(bySync);
            // the cancelled lines of the batch cost nothing; the synchronous ones cost the list price
            assertThat(h.count("SELECT count(*) FROM results WHERE status = 'cancelled' AND cost_usd > 0")).isZero();
            assertThat(h.count("SELECT count(*) FROM results WHERE mode = 'sync' AND cost_usd = sync_cost_usd"
                    + " AND cost_usd = 2 * batch_cost_usd")).isEqualTo(bySync);
            new CostRecomputation(h.db).assertEveryStoredCostIsExact();

            BigDecimal premium = h.db.queryOne("SELECT sum(cost_usd - batch_cost_usd) FROM results WHERE mode = 'sync'",
                    rs -> rs.getBigDecimal(1)).orElseThrow();
            try (Connection c = ds.getConnection()) {
                JobReport report = JobReport.load(c, "job-1", null);
                assertThat(report.linesByMode()).containsEntry("sync", bySync).containsKey("batch");
                assertThat(report.rescueCostUsd()).isPositive().isEqualByComparingTo(premium);
            }
        }
    }

    @Test
    void aModelWithAFlexTierIsRescuedByFlexAtTheFlexPrice(KafkaCluster kafka, DataSource ds) throws Exception {
        PipelineFixture.Lane o4Mini = new PipelineFixture.Lane(Provider.OPENAI, "/v1/chat/completions", "o4-mini");
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE,
                new Retries(3, Duration.ofMinutes(1)), tenant -> true, config -> config.withSpeed(SLOW).withChoices(
                        EmulatorConfig.Choices.defaults().withFlex(Duration.ofMillis(5), Duration.ofMillis(20), 0.0)))) {
            h.parts.submitter().withSyncRunner(new SyncRunner(h.parts.batches(), h.syncClients(), h.parts.settlement(),
                    new RetryPolicy(4, Duration.ofMillis(10), 2.0, 0.0, Duration.ofMillis(100)), 3, h.clock,
                    new Random(7), h.metrics));
            h.parts.poller().withRescue(new Rescue(Duration.ofMinutes(30), Set.of(Provider.OPENAI),
                    (p, m) -> REGISTRY.find(p, m).map(info -> info.offersFlex()).orElse(false)));

            Instant deadline = h.clock.instant().plus(Duration.ofMinutes(40));
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                var request = dev.offpeak.schemas.json.Json.mapper().createObjectNode();
                request.putArray("messages").addObject().put("role", "user").put("content", "summarise ticket " + i);
                request.put("max_completion_tokens", 32);
                tasks.add(PipelineFixture.withDeadline(PipelineFixture.task(o4Mini, "acme", "flex-late-" + i, request),
                        deadline));
            }
            h.publish(PipelineFixture.batch("b-rescue-flex", o4Mini, tasks, 0, h.clock.instant()));
            h.intakeUntil(tasks.size(), 1);
            h.runUntilQuiet(60);

            assertThat(h.emulator.counters().batchesCreated(dev.offpeak.emulator.Provider.OPENAI)).isEqualTo(1);
            assertThat(h.text("SELECT rescue_mode FROM batches WHERE batch_id = 'b-rescue-flex'")).isEqualTo("flex");
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded' AND completed_at <= not_after"))
                    .isEqualTo(6);
            assertThat(h.count("SELECT count(DISTINCT request_id) FROM results WHERE status = 'succeeded'")).isEqualTo(6);
            long byFlex = h.count("SELECT count(*) FROM results WHERE status = 'succeeded' AND mode = 'flex'");
            assertThat(byFlex).isBetween(1L, 5L);
            assertThat(h.count("SELECT count(*) FROM results WHERE status = 'succeeded' AND mode = 'batch'"))
                    .isEqualTo(6 - byFlex);
            assertThat(h.emulator.counters().syncAnswered(dev.offpeak.emulator.Provider.OPENAI, "flex")).isEqualTo(byFlex);
            assertThat(h.emulator.counters().syncAnswered(dev.offpeak.emulator.Provider.OPENAI, "standard")).isZero();
            // o4-mini's flex tier bills what its batch tier does for uncached input: the rescue cost nothing extra
            assertThat(h.count("SELECT count(*) FROM results WHERE mode = 'flex' AND cost_usd > 0"
                    + " AND cost_usd = batch_cost_usd AND cost_usd < sync_cost_usd")).isEqualTo(byFlex);
            new CostRecomputation(h.db).assertEveryStoredCostIsExact();
            try (Connection c = ds.getConnection()) {
                JobReport report = JobReport.load(c, "job-1", null);
                // lines per attempt: all six went in the batch, the ones it did not finish again by flex
                assertThat(report.linesByMode()).containsEntry("flex", byFlex).containsEntry("batch", 6L);
                assertThat(report.rescueCostUsd()).isEqualByComparingTo(BigDecimal.ZERO);
            }
        }
    }
}
