package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.PipelineFixture.Batch;
import dev.offpeak.result.PipelineFixture.Lane;
import dev.offpeak.result.PipelineFixture.Task;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry pricing end to end (emulator, real Kafka and Postgres): prompts past a model's long-context
 * threshold settle at the tier, cache reads and writes at their rates, and every stored cost is
 * recomputed twice: from the stored usage and price rows, and independently from the raw provider
 * response with the genai-prices library.
 */
@RealKafka
@RealPostgres
class RegistryPricingIT {
    private static final Lane GEMINI_PRO = new Lane(Provider.GEMINI, "generateContent", "gemini-2.5-pro");
    private static final Lane GEMINI_3_PRO = new Lane(Provider.GEMINI, "generateContent", "gemini-3-pro-preview");
    private static final Lane GPT_3_5 = new Lane(Provider.OPENAI, "/v1/chat/completions", "gpt-3.5-turbo");
    /** Sonnet 4.5 caches from 1,024 tokens (Haiku 4.5 from 4,096, more than these prompts hold). */
    private static final Lane SONNET = new Lane(Provider.ANTHROPIC, "/v1/messages", "claude-sonnet-4-5");

    @TempDir
    Path temp;

    @Test
    void longAndCachedPromptsSettleAtTheirTierAndRecomputeExactly(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = run(kafka, ds)) {
            // gemini-2.5-pro: ~202,500 prompt tokens (chars / 4) at the > 200K tier: 2.50 in / 15 out per 1M;
            // the batch halves both: (prompt * 1.25 + output * 7.5) / 1e6
            long prompt = h.count("SELECT input_tokens FROM results r JOIN batches b USING (batch_id) WHERE b.model = 'gemini-2.5-pro'");
            long output = h.count("SELECT output_tokens + reasoning_tokens FROM results r JOIN batches b USING (batch_id) WHERE b.model = 'gemini-2.5-pro'");
            assertThat(prompt).isGreaterThan(200_000);
            BigDecimal cost = h.db.queryOne("SELECT cost_usd FROM results r JOIN batches b USING (batch_id) WHERE b.model = 'gemini-2.5-pro'",
                    rs -> rs.getBigDecimal(1)).orElseThrow();
            assertThat(cost).isEqualByComparingTo(new BigDecimal("1.25").multiply(BigDecimal.valueOf(prompt))
                    .add(new BigDecimal("7.5").multiply(BigDecimal.valueOf(output))).movePointLeft(6));
            // the cached Claude lines read and wrote the cache, and the plain gpt-3.5-turbo lines were priced
            assertThat(h.count("SELECT count(*) FROM results WHERE cache_write_5m_tokens > 0 OR cache_write_1h_tokens > 0")).isPositive();
            assertThat(h.db.query("SELECT DISTINCT b.provider FROM results r JOIN batches b USING (batch_id)"
                    + " WHERE r.cached_input_tokens > 0 ORDER BY 1", rs -> rs.getString(1)))
                    .as("cache reads per provider").containsExactly("anthropic", "openai");
            assertThat(h.count("SELECT count(*) FROM results r JOIN batches b USING (batch_id) "
                    + "WHERE b.model = 'gpt-3.5-turbo' AND r.cost_usd > 0 AND r.price_version = 'openai/gpt-3.5-turbo/2020-01-01'"))
                    .isEqualTo(2);
            assertThat(new CostRecomputation(h.db).assertEveryStoredCostIsExact()).isEqualTo(h.count("SELECT count(*) FROM results"));
        }
    }

    @Test
    void everyStoredCostMatchesGenaiPricesFromTheRawResponse(KafkaCluster kafka, DataSource ds) throws Exception {
        Assumptions.assumeTrue(IndependentCostCheck.unavailable().isEmpty(),
                () -> "independent cost check skipped: " + IndependentCostCheck.unavailable().orElse("")
                        + " (CostRecomputation and TierBoundaryTest still check every figure from the registry)");
        try (MoneyPathHarness h = run(kafka, ds)) {
            int checked = new IndependentCostCheck(h.db).assertStoredCostsMatchGenaiPrices(temp);
            assertThat(checked).isEqualTo(h.count("SELECT count(*) FROM results WHERE status = 'succeeded'"));
        }
    }

    /** One batch per lane: plain, cached (OpenAI automatic, Anthropic cache_control 5m and 1h) and long prompts. */
    private MoneyPathHarness run(KafkaCluster kafka, DataSource ds) {
        MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE);
        List<Batch> batches = List.of(
                PipelineFixture.batch("b-plain-openai", PipelineFixture.OPENAI, 2, 1, h.clock.instant()),
                PipelineFixture.batch("b-plain-gemini", PipelineFixture.GEMINI, 2, 0, h.clock.instant()),
                PipelineFixture.batch("b-gpt35", GPT_3_5, 2, 0, h.clock.instant()),
                PipelineFixture.batch("b-cached-openai", PipelineFixture.OPENAI, openAiSharedPrefix(), 0, h.clock.instant()),
                PipelineFixture.batch("b-cached-claude", SONNET, claudeCached(), 0, h.clock.instant()),
                PipelineFixture.batch("b-long-gemini", GEMINI_PRO, List.of(PipelineFixture.task(GEMINI_PRO, "acme", "long-g",
                        "word ".repeat(162_000))), 0, h.clock.instant()),
                PipelineFixture.batch("b-long-gemini-3", GEMINI_3_PRO, List.of(PipelineFixture.task(GEMINI_3_PRO, "acme",
                        "long-g3", "term ".repeat(170_000))), 0, h.clock.instant()));
        int tasks = 0;
        for (Batch b : batches) {
            h.publish(b);
            tasks += b.accepted().size();
        }
        h.intakeUntil(tasks, batches.size());
        h.runUntilQuiet(120);
        assertThat(h.count("SELECT count(*) FROM batches WHERE state = 'settled'")).isEqualTo(batches.size());
        assertThat(h.count("SELECT count(*) FROM results WHERE status <> 'succeeded'")).isZero();
        return h;
    }

    private static List<Task> openAiSharedPrefix() {
        String prefix = "Context paragraph for the shared prompt prefix. ".repeat(150);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(PipelineFixture.task(PipelineFixture.OPENAI, "acme", "cached-o" + i, prefix + " question " + i));
        }
        return tasks;
    }

    private static List<Task> claudeCached() {
        String system = "You are a careful reviewer of long technical documents. ".repeat(120);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ObjectNode request = Json.mapper().createObjectNode();
            ObjectNode block = request.putArray("system").addObject().put("type", "text").put("text", system);
            ObjectNode cache = block.putObject("cache_control").put("type", "ephemeral");
            if (i >= 2) {
                cache.put("ttl", "1h");
                block.put("text", system + " (hourly)");
            }
            request.putArray("messages").addObject().put("role", "user").put("content", "review number " + i);
            request.put("max_tokens", 16);
            tasks.add(PipelineFixture.task(SONNET, "acme", "cached-c" + i, request));
        }
        return tasks;
    }
}
