package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.result.PipelineFixture.Lane;
import dev.offpeak.result.PipelineFixture.Task;
import dev.offpeak.result.metrics.ResultMetrics;
import dev.offpeak.result.provider.RetryPolicy;
import dev.offpeak.result.provider.SyncCaller;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.submit.ModeChooser;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.result.submit.SyncRunner;
import dev.offpeak.result.submit.SyncThrottle;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /** A money path whose emulator serves flex quickly and never sheds, with a synchronous runner and these lane modes. */
    private MoneyPathHarness harness(KafkaCluster kafka, DataSource ds, String laneModes) {
        MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE,
                new Retries(3, Duration.ofMinutes(1)), tenant -> true, config -> config.withChoices(
                        EmulatorConfig.Choices.defaults().withFlex(Duration.ofMillis(5), Duration.ofMillis(20), 0.0)));
        h.parts.submitter().withSyncRunner(new SyncRunner(h.parts.batches(), h.syncClients(), h.parts.settlement(),
                new RetryPolicy(4, Duration.ofMillis(10), 2.0, 0.0, Duration.ofMillis(100)), 4, h.clock,
                new Random(7), h.metrics)).withLaneModes(new ModeChooser(ModelRegistry.loadDefault(), ModeChooser.parse(laneModes), 4));
        return h;
    }

    private static double syncCalls(MoneyPathHarness h, String mode, String outcome) {
        return h.metrics.registry().get(ResultMetrics.SYNC_CALLS).tag("provider", "openai").tag("mode", mode)
                .tag("outcome", outcome).counter().count();
    }

    @Test
    void autoPicksFlexWhereFlexWithCacheIsCheaperThanBatchAndBatchElsewhere(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = harness(kafka, ds, "openai/o4-mini=auto, openai/gpt-4o-mini=auto")) {
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
                    .startsWith("auto (asked by lane modes openai/o4-mini):").contains("chose flex (cheapest in time)");
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

    @Test
    void linesAskingOtherModesThanTheirBatchMoveToABatchOfTheirOwnAndFlexTurnaroundComesFromHistory(
            KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = harness(kafka, ds, "initech:*=sync, openai/o4-mini=auto")) {
            // acme's o4-mini lines: six ask nothing (the lane is auto), two ask sync, one asks batch
            String policy = "Answer the customer in one friendly sentence and name the product. ".repeat(120);
            List<Task> mixed = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                Task t = task(O4_MINI, "mix-" + i, policy);
                mixed.add(i < 6 ? t : PipelineFixture.withMode(t, i < 8 ? RequestedMode.SYNC : RequestedMode.BATCH));
            }
            // initech's gpt-4o-mini lines run sync by the tenant's default; one asks flex, which that model lacks
            List<Task> tenant = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Task t = PipelineFixture.task(PipelineFixture.OPENAI, "initech", "ini-" + i, "review " + i + " is fine");
                tenant.add(i == 2 ? PipelineFixture.withMode(t, RequestedMode.FLEX) : t);
            }
            h.publish(PipelineFixture.batch("b-mixed", O4_MINI, mixed, 0, h.clock.instant()));
            h.publish(PipelineFixture.batch("b-initech", PipelineFixture.OPENAI, tenant, 0, h.clock.instant()));
            h.intakeUntil(12, 2);
            h.runUntilQuiet(60);

            // b-mixed kept the six auto lines (flex: o4-mini's flex tier keeps the cache discount its batch tier loses),
            // its sync and batch lines went to batches of their own, each sent once
            assertThat(h.text("SELECT mode FROM batches WHERE batch_id = 'b-mixed'")).isEqualTo("flex");
            assertThat(h.text("SELECT mode_reason FROM batches WHERE batch_id = 'b-mixed'"))
                    .startsWith("auto (asked by lane modes openai/o4-mini):").contains("chose flex (cheapest in time)")
                    .contains("2 lines asking sync moved to b-").contains("1 lines asking batch moved to b-");
            assertThat(h.count("SELECT refused_count FROM batches WHERE batch_id = 'b-mixed'")).isEqualTo(3);
            assertThat(h.text("SELECT string_agg(mode || ':' || expected_count, ',' ORDER BY mode) FROM batches"
                    + " WHERE close_reason = 'mode_split' AND model = 'o4-mini'")).isEqualTo("batch:1,sync:2");
            assertThat(h.text("SELECT mode_reason FROM batches WHERE close_reason = 'mode_split' AND mode = 'sync'"))
                    .isEqualTo("sync (asked by task)");
            assertThat(h.text("SELECT string_agg(r.mode, ',' ORDER BY t.task_id) FROM tasks t"
                    + " JOIN results r ON r.request_id = t.request_id AND r.batch_id = t.result_batch_id"
                    + " WHERE t.task_id LIKE 'mix-%'")).isEqualTo("flex,flex,flex,flex,flex,flex,sync,sync,batch");
            // initech: the tenant default ran two lines sync; the flex line fell back to batch (no flex tier)
            assertThat(h.text("SELECT mode_reason FROM batches WHERE batch_id = 'b-initech'"))
                    .isEqualTo("sync (asked by lane modes initech:*); 1 lines asking batch moved to "
                            + h.text("SELECT batch_id FROM batches WHERE close_reason = 'mode_split' AND model = 'gpt-4o-mini'"));
            assertThat(h.text("SELECT mode_reason FROM batches WHERE close_reason = 'mode_split' AND model = 'gpt-4o-mini'"))
                    .isEqualTo("batch (task asked flex; gpt-4o-mini has no flex tier in the model registry)");
            // nothing ran twice: one answer per request, and the provider saw each line once
            assertThat(h.count("SELECT count(*) FROM results WHERE status = 'succeeded'")).isEqualTo(12);
            assertThat(h.count("SELECT count(DISTINCT request_id) FROM results")).isEqualTo(12);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(12);
            assertThat(h.emulator.counters().batchesCreated(dev.offpeak.emulator.Provider.OPENAI)).isEqualTo(2);
            assertThat(h.emulator.counters().syncAnswered(dev.offpeak.emulator.Provider.OPENAI, "flex")).isEqualTo(6);
            assertThat(h.emulator.counters().syncAnswered(dev.offpeak.emulator.Provider.OPENAI, "standard")).isEqualTo(4);
            assertThat(h.count("SELECT count(*) FROM sync_calls WHERE latency_ms IS NOT NULL")).isEqualTo(10);
            assertThat(syncCalls(h, "flex", "answered")).isEqualTo(6.0);
            assertThat(syncCalls(h, "sync", "answered")).isEqualTo(4.0);
            assertThat(syncCalls(h, "flex", "gave_up") + syncCalls(h, "sync", "gave_up")).isZero();
            new CostRecomputation(h.db).assertEveryStoredCostIsExact();

            // a later auto batch of o4-mini expects flex to take what the six flex calls took, not the default
            List<Task> later = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                later.add(task(O4_MINI, "later-" + i, policy));
            }
            h.publish(PipelineFixture.batch("b-later", O4_MINI, later, 0, h.clock.instant()));
            long before = h.count("SELECT count(*) FROM batches WHERE state <> 'collecting'");
            h.intakeUntil(15, (int) before + 1);
            h.runUntilQuiet(60);
            assertThat(h.text("SELECT mode_reason FROM batches WHERE batch_id = 'b-later'"))
                    .containsPattern("flex \\$[0-9.]+ ~[0-9]+s \\(p95; p50 [0-9]+s, 6 calls\\)")
                    .contains("batch $").contains("batches of history)");
        }
    }

    @Test
    void synchronousBatchesOfDifferentProvidersRunTogetherAndOneProvidersEarliestDeadlineFirst(KafkaCluster kafka,
            DataSource ds) {
        try (MoneyPathHarness h = harness(kafka, ds, "*=sync")) {
            // each provider's first call waits until the other provider's first call has started
            CountDownLatch bothStarted = new CountDownLatch(2);
            AtomicBoolean together = new AtomicBoolean(true);
            Set<Provider> started = ConcurrentHashMap.newKeySet();
            List<String> openAiModels = Collections.synchronizedList(new ArrayList<>());
            Map<Provider, SyncCaller> callers = new EnumMap<>(Provider.class);
            h.syncClients().forEach((provider, client) -> callers.put(provider, (line, model, mode) -> {
                if (provider == Provider.OPENAI) {
                    openAiModels.add(model);
                }
                if (started.add(provider)) {
                    bothStarted.countDown();
                    try {
                        together.compareAndSet(true, bothStarted.await(20, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return client.run(line, model, mode);
            }));
            h.parts.submitter().withSyncRunner(new SyncRunner(h.parts.batches(), callers, h.parts.settlement(),
                    new RetryPolicy(4, Duration.ofMillis(10), 2.0, 0.0, Duration.ofMillis(100)), 2, h.clock,
                    new Random(7), h.metrics));
            Lane gpt41Mini = new Lane(Provider.OPENAI, "/v1/chat/completions", "gpt-4.1-mini");
            Instant now = h.clock.instant();
            h.publish(PipelineFixture.batch("b-late", PipelineFixture.OPENAI, deadlined("late", PipelineFixture.OPENAI,
                    now.plus(Duration.ofHours(5))), 0, now));
            h.publish(PipelineFixture.batch("b-soon", gpt41Mini, deadlined("soon", gpt41Mini,
                    now.plus(Duration.ofHours(1))), 0, now));
            h.publish(PipelineFixture.batch("b-claude", PipelineFixture.ANTHROPIC, deadlined("claude",
                    PipelineFixture.ANTHROPIC, now.plus(Duration.ofHours(3))), 0, now));
            h.intakeUntil(9, 3);
            h.parts.submitter().submitOnce();
            assertThat(h.count("SELECT count(*) FROM batches WHERE state = 'submitting' AND mode = 'sync'")).isEqualTo(3);
            // the later deadline is due first: only the deadline can put b-soon before it
            h.db.update("UPDATE batches SET next_attempt_at = next_attempt_at - interval '1 minute' WHERE batch_id = 'b-late'");

            assertThat(h.parts.submitter().runSynchronousOnce()).isEqualTo(3);

            assertThat(together).as("OpenAI and Anthropic batches ran at the same time").isTrue();
            assertThat(openAiModels.getFirst()).as("b-soon (deadline in 1 h) before b-late (5 h)").isEqualTo("gpt-4.1-mini");
            assertThat(openAiModels).hasSize(6);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded' AND completed_at <= not_after"))
                    .isEqualTo(9);
            new CostRecomputation(h.db).assertEveryStoredCostIsExact();
        }
    }

    @Test
    void synchronousCallsKeepWithinTheProvidersRateLimitsByItsHeadersOrByConfiguredLimits(KafkaCluster kafka,
            DataSource ds) {
        try (MoneyPathHarness h = harness(kafka, ds, "*=sync")) {
            // the provider allows 4 requests a second per model (a token bucket, as the providers' limits are)
            Lane gpt41Mini = new Lane(Provider.OPENAI, "/v1/chat/completions", "gpt-4.1-mini");
            h.emulator.rateLimits().set(dev.offpeak.emulator.Provider.OPENAI, "gpt-4o-mini", 4, Duration.ofSeconds(1));
            h.emulator.rateLimits().set(dev.offpeak.emulator.Provider.OPENAI, "gpt-4.1-mini", 4, Duration.ofSeconds(1));
            // and gpt-4.1-nano 120 input tokens a second (the emulator counts a body's characters / 4)
            Lane gpt41Nano = new Lane(Provider.OPENAI, "/v1/chat/completions", "gpt-4.1-nano");
            h.emulator.rateLimits().set(dev.offpeak.emulator.Provider.OPENAI, "gpt-4.1-nano", 1_000, 120,
                    Duration.ofSeconds(1));
            // 8 calls at once; gpt-4.1-mini also has a configured limit, 120 a minute: below the provider's, so it
            // is the one that binds
            h.parts.submitter().withSyncRunner(new SyncRunner(h.parts.batches(), h.syncClients(), h.parts.settlement(),
                    new RetryPolicy(4, Duration.ofMillis(10), 2.0, 0.0, Duration.ofMillis(100)), 8, h.clock,
                    new Random(7), h.metrics).withThrottle(new SyncThrottle(
                            SyncThrottle.parse("openai/gpt-4.1-mini=rpm:120"), java.time.InstantSource.system())));
            List<Task> headersOnly = new ArrayList<>();
            List<Task> configured = new ArrayList<>();
            List<Task> tokenLimited = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                tokenLimited.add(PipelineFixture.task(gpt41Nano, "acme", "tk-" + i, "review " + i + " is fine"));
                headersOnly.add(PipelineFixture.task(PipelineFixture.OPENAI, "acme", "rl-" + i, "review " + i + " is fine"));
                configured.add(PipelineFixture.task(gpt41Mini, "acme", "cf-" + i, "review " + i + " is fine"));
            }
            h.publish(PipelineFixture.batch("b-headers", PipelineFixture.OPENAI, headersOnly, 0, h.clock.instant()));
            h.intakeUntil(16, 1);
            h.runUntilQuiet(60);
            long refusedByHeaders = h.emulator.counters().syncRateLimited(dev.offpeak.emulator.Provider.OPENAI);
            h.publish(PipelineFixture.batch("b-configured", gpt41Mini, configured, 0, h.clock.instant()));
            h.intakeUntil(32, 2);
            h.runUntilQuiet(60);
            long refusedConfigured = h.emulator.counters().syncRateLimited(dev.offpeak.emulator.Provider.OPENAI)
                    - refusedByHeaders;
            h.publish(PipelineFixture.batch("b-tokens", gpt41Nano, tokenLimited, 0, h.clock.instant()));
            h.intakeUntil(48, 3);
            h.runUntilQuiet(60);
            long refusedTokens = h.emulator.counters().syncRateLimited(dev.offpeak.emulator.Provider.OPENAI)
                    - refusedByHeaders - refusedConfigured;
            System.out.printf("LaneModesIT: 429s by the provider's rate limit: headers only %d, configured %d,"
                    + " token limit %d; waited provider_limit %.2fs, retry_after %.2fs, configured %.2fs%n",
                    refusedByHeaders, refusedConfigured, refusedTokens, throttled(h, "provider_limit"),
                    throttled(h, "retry_after"), throttled(h, "configured"));

            // every line answered once, none given up
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(48);
            assertThat(h.emulator.counters().syncAnswered(dev.offpeak.emulator.Provider.OPENAI, "standard")).isEqualTo(48);
            assertThat(syncCalls(h, "sync", "gave_up")).isZero();
            // with nothing known, the first 8 calls go at once and those over the limit get 429s; from then on
            // the answers' headers (and each 429's pause of the whole lane) keep the calls within the limit
            // (the headers read against the service's clock instead of the wall clock: 51 429s and lines given up)
            assertThat(refusedByHeaders).isLessThanOrEqualTo(8L);
            assertThat(throttled(h, "provider_limit") + throttled(h, "retry_after")).isPositive();
            // a configured limit paces the calls from the first one: 2 at once, then 2 a second, so the 16 calls
            // wait seconds in all and the provider, allowing 4 a second, refuses none
            assertThat(refusedConfigured).isZero();
            // input tokens: the lines' estimates (20 each here) are below what the provider counts (a body's
            // characters / 4, about 25); the first burst goes blind and the lane learns the ratio from the answers
            // (without learning: 11 429s; throttle removed: 49)
            assertThat(refusedTokens).isLessThanOrEqualTo(12L);
            assertThat(throttled(h, "configured")).isGreaterThan(1.0);
            new CostRecomputation(h.db).assertEveryStoredCostIsExact();
        }
    }

    @Test
    void autoLeavesFlexWhenTheConfiguredRateLimitCannotPassTheLinesBeforeTheDeadline(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = harness(kafka, ds, "openai/o4-mini=auto")) {
            // flex is cheaper (it keeps the cache discount), but 1 token a minute cannot pass these lines in 30 h
            h.parts.submitter().withLaneModes(new ModeChooser(ModelRegistry.loadDefault(),
                    ModeChooser.parse("openai/o4-mini=auto"), 4).withSyncRateLimits(SyncThrottle.parse("openai/o4-mini=tpm:1")));
            String policy = "Summarise the support ticket in two sentences and name the product. ".repeat(120);
            Instant deadline = h.clock.instant().plus(Duration.ofHours(30));
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tasks.add(PipelineFixture.withDeadline(task(O4_MINI, "tpm-" + i, policy), deadline));
            }
            h.publish(PipelineFixture.batch("b-tpm", O4_MINI, tasks, 0, h.clock.instant()));
            h.intakeUntil(4, 1);
            h.parts.submitter().submitOnce();
            assertThat(h.text("SELECT mode FROM batches WHERE batch_id = 'b-tpm'")).isEqualTo("batch");
            assertThat(h.text("SELECT mode_reason FROM batches WHERE batch_id = 'b-tpm'"))
                    .containsPattern("flex \\$[0-9.]+ ~[0-9]+h \\(default: 0 calls of history\\), rate limit tpm:1 allows it in [0-9]+h \\(late\\)")
                    .contains("chose batch (cheapest in time)");
        }
    }

    private static double throttled(MoneyPathHarness h, String cause) {
        return h.metrics.registry().get(ResultMetrics.SYNC_THROTTLE_SECONDS).tag("provider", "openai")
                .tag("cause", cause).counter().count();
    }

    private static List<Task> deadlined(String prefix, Lane lane, Instant notAfter) {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(PipelineFixture.withDeadline(PipelineFixture.task(lane, "acme", prefix + "-" + i,
                    "question " + prefix + " " + i), notAfter));
        }
        return tasks;
    }
}
