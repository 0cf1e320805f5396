package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.result.PipelineFixture.Lane;
import dev.offpeak.result.PipelineFixture.Task;
import dev.offpeak.result.provider.RetryPolicy;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.submit.ModeChooser;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.result.submit.SyncRunner;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auto} lanes end to end on the emulator (real Kafka, real PostgreSQL): a batch of a model
 * whose flex tier keeps the prompt-cache discount that its batch tier loses runs by flex when its
 * lines share a long prefix; a model without flex stays in batch; each line is priced in the mode it
 * ran in.
 */
@RealKafka
@RealPostgres
class LaneModesIT {
    private static final Lane O4_MINI = new Lane(Provider.OPENAI, "/v1/chat/completions", "o4-mini");

    @TempDir
    Path temp;

    private static Task task(Lane lane, String id, String system) {
        ObjectNode request = Json.mapper().createObjectNode();
        var messages = request.putArray("messages");
        messages.addObject().put("role", "system").put("content", system);
        messages.addObject().put("role", "user").put("content", "summarise ticket " + id);
        request.put(lane == O4_MINI ? "max_completion_tokens" : "max_tokens", 64);
        return PipelineFixture.task(lane, "acme", id, request);
    }

    @Test
    void autoPicksFlexWhereFlexWithCacheIsCheaperThanBatchAndBatchElsewhere(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE,
                new Retries(3, Duration.ofMinutes(1)), tenant -> true, config -> config.withChoices(
                        EmulatorConfig.Choices.defaults().withFlex(Duration.ofMillis(5), Duration.ofMillis(20), 0.0)))) {
            ModelRegistry registry = ModelRegistry.loadDefault();
            h.parts.submitter().withSyncRunner(new SyncRunner(h.parts.batches(), h.syncClients(), h.parts.settlement(),
                    new RetryPolicy(4, Duration.ofMillis(10), 2.0, 0.0, Duration.ofMillis(100)), 4, h.clock,
                    new Random(7))).withLaneModes(new ModeChooser(registry, ModeChooser.parse(
                    "openai/o4-mini=auto, openai/gpt-4o-mini=auto"), 4));
            String policy = "Summarise the support ticket in two sentences and name the product. ".repeat(120);
            List<Task> flexTasks = new ArrayList<>();
            List<Task> batchTasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                flexTasks.add(task(O4_MINI, "o4-" + i, policy));
                batchTasks.add(task(PipelineFixture.OPENAI, "4o-" + i, policy));
            }
            h.publish(PipelineFixture.batch("b-auto-o4", O4_MINI, flexTasks, 0, h.clock.instant()));
            h.publish(PipelineFixture.batch("b-auto-4o", PipelineFixture.OPENAI, batchTasks, 0, h.clock.instant()));
            h.intakeUntil(8, 2);
            h.runUntilQuiet(60);

            assertThat(h.text("SELECT mode FROM batches WHERE batch_id = 'b-auto-o4'")).isEqualTo("flex");
            assertThat(h.text("SELECT mode_reason FROM batches WHERE batch_id = 'b-auto-o4'"))
                    .startsWith("auto:").contains("chose flex (cheapest in time)");
            assertThat(h.text("SELECT mode FROM batches WHERE batch_id = 'b-auto-4o'")).isEqualTo("batch");
            assertThat(h.text("SELECT mode_reason FROM batches WHERE batch_id = 'b-auto-4o'"))
                    .contains("chose batch (cheapest in time)").doesNotContain("flex $");
            // what ran where: one provider batch (gpt-4o-mini), four flex calls (o4-mini), nothing twice
            assertThat(h.emulator.counters().batchesCreated(dev.offpeak.emulator.Provider.OPENAI)).isEqualTo(1);
            assertThat(h.emulator.counters().syncAnswered(dev.offpeak.emulator.Provider.OPENAI, "flex")).isEqualTo(4);
            assertThat(h.count("SELECT count(*) FROM results r JOIN batches b USING (batch_id)"
                    + " WHERE b.batch_id = 'b-auto-o4' AND r.mode = 'flex' AND r.status = 'succeeded'")).isEqualTo(4);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(8);
            // flex kept the cache discount: the lines after the first read the prefix from cache, and paid less
            // for it than the batch tier would have (o4-mini's batch tier bills cache hits as plain input)
            assertThat(h.count("SELECT count(*) FROM results WHERE mode = 'flex' AND cached_input_tokens > 0")).isEqualTo(3);
            assertThat(h.count("SELECT count(*) FROM results WHERE mode = 'flex' AND cached_input_tokens > 0"
                    + " AND cost_usd < batch_cost_usd")).isEqualTo(3);
            new CostRecomputation(h.db).assertEveryStoredCostIsExact();
        }
    }
}
