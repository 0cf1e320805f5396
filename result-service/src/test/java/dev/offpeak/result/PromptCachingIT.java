package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.PipelineFixture.Lane;
import dev.offpeak.result.PipelineFixture.Task;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.CacheablePrefix;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider prompt caching done for the user, end to end against real Kafka, real PostgreSQL and the
 * provider emulator: the hints Offpeak records per line, what the provider receives, what it bills,
 * and that the request identity and the stored request never change.
 */
@RealKafka
@RealPostgres
class PromptCachingIT {
    private static final Lane SONNET = new Lane(Provider.ANTHROPIC, "/v1/messages", "claude-sonnet-4-5");
    private static final Lane HAIKU = new Lane(Provider.ANTHROPIC, "/v1/messages", "claude-haiku-4-5");
    /** ~9,000 characters: ~2,250 estimated tokens, above Sonnet 4.5's 1,024 and below Haiku 4.5's 4,096. */
    private static final String POLICY = "Follow the review policy exactly. ".repeat(265);

    @TempDir
    Path temp;

    private static Task anthropic(Lane lane, String tenant, String id, String system, boolean ownBreakpoint) {
        ObjectNode request = Json.mapper().createObjectNode().put("max_tokens", 16);
        ObjectNode block = request.putArray("system").addObject().put("type", "text").put("text", system);
        if (ownBreakpoint) {
            block.putObject("cache_control").put("type", "ephemeral");
        }
        request.putArray("messages").addObject().put("role", "user").put("content", "review " + id);
        return PipelineFixture.task(lane, tenant, id, request);
    }

    private static Task openAi(String tenant, String id, String system) {
        ObjectNode request = Json.mapper().createObjectNode().put("max_tokens", 16);
        var messages = request.putArray("messages");
        messages.addObject().put("role", "system").put("content", system);
        messages.addObject().put("role", "user").put("content", "summarise ticket " + id);
        return PipelineFixture.task(PipelineFixture.OPENAI, tenant, id, request);
    }

    @Test
    void sharedAnthropicPrefixGetsAOneHourBreakpointThatIsWrittenOnceAndReadByTheRest(KafkaCluster kafka,
                                                                                       DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE,
                new Retries(1, Duration.ZERO), tenant -> !"private".equals(tenant))) {
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tasks.add(anthropic(SONNET, "acme", "shared-" + i, POLICY, false));
            }
            tasks.add(anthropic(SONNET, "private", "opted-out", POLICY, false)); // tenant turned caching off
            tasks.add(anthropic(SONNET, "acme", "own-breakpoint", "Own policy. ".repeat(800), true)); // the producer's own
            tasks.add(anthropic(SONNET, "acme", "pair-0", "Another policy. ".repeat(600), false)); // a prefix of two
            tasks.add(anthropic(SONNET, "acme", "pair-1", "Another policy. ".repeat(600), false));
            // the fixture's order interleaves nothing; put the pair first so adjacency has work to do
            tasks.add(0, tasks.remove(tasks.size() - 1));
            h.publish(PipelineFixture.batch("b-cache-sonnet", SONNET, tasks, 0, h.clock.instant()));
            h.intakeUntil(tasks.size(), 1);
            h.runUntilQuiet(60);

            assertThat(h.text("SELECT state FROM batches")).isEqualTo("settled");
            // recorded per line: the four shared acme lines, nobody else (opted out, own breakpoint, a pair
            // whose write premium would not pay back: 2x write + 0.1x read > 2x plain input)
            assertThat(h.db.query("""
                    SELECT i.task_id FROM batch_items i WHERE i.adjustment IS NOT NULL ORDER BY i.task_id""",
                    rs -> rs.getString(1))).containsExactly("shared-0", "shared-1", "shared-2", "shared-3");
            assertThat(h.text("SELECT DISTINCT adjustment::text FROM batch_items WHERE adjustment IS NOT NULL"))
                    .isEqualTo("{\"at\": \"system\", \"cache_control\": {\"ttl\": \"1h\", \"type\": \"ephemeral\"}}");
            // the stored request is the task as submitted: no breakpoint in it, identity unchanged
            assertThat(h.count("SELECT count(*) FROM requests WHERE line LIKE '%\"1h\"%'")).isZero();
            for (Task t : tasks) {
                assertThat(h.count("SELECT count(*) FROM results WHERE request_id = ?", t.requestId())).isEqualTo(1);
            }
            // the provider wrote the shared prefix once with the 1-hour TTL and served it to the other three
            String shared = "(SELECT r.request_id FROM results r JOIN batch_items i USING (request_id)"
                    + " WHERE i.task_id LIKE 'shared-%')";
            assertThat(h.count("SELECT count(*) FROM results WHERE cache_write_1h_tokens > 0 AND request_id IN "
                    + shared)).isEqualTo(1);
            assertThat(h.count("SELECT count(*) FROM results WHERE cached_input_tokens > 0 AND request_id IN "
                    + shared)).isEqualTo(3);
            // nothing cached for the lines Offpeak left alone (the opted-out line sent after the shared ones
            // carries no breakpoint, so it neither reads nor writes)
            assertThat(h.count("SELECT count(*) FROM results r JOIN batch_items i USING (request_id)"
                    + " WHERE i.task_id IN ('opted-out', 'pair-0', 'pair-1') AND r.cache_write_1h_tokens"
                    + " + r.cached_input_tokens > 0")).isZero();
            new CostRecomputation(h.db).assertEveryStoredCostIsExact();
        }
    }

    @Test
    void aPrefixBelowTheModelsMinimumIsLeftAlone(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                tasks.add(anthropic(HAIKU, "acme", "haiku-" + i, POLICY, false)); // ~2,250 tokens < 4,096
            }
            h.publish(PipelineFixture.batch("b-cache-haiku", HAIKU, tasks, 0, h.clock.instant()));
            h.intakeUntil(tasks.size(), 1);
            h.runUntilQuiet(60);
            assertThat(h.count("SELECT count(*) FROM batch_items WHERE adjustment IS NOT NULL")).isZero();
            assertThat(h.count("SELECT count(*) FROM results WHERE status = 'succeeded'")).isEqualTo(5);
        }
    }

    @Test
    void openAiLinesOfALongPrefixGetAPromptCacheKeyFromItsFingerprintAndAreSentAdjacent(KafkaCluster kafka,
                                                                                         DataSource ds) throws Exception {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            String longPolicy = "Summarise the support ticket in two sentences and name the product. ".repeat(120);
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < 6; i++) { // two prefixes, interleaved as they arrived
                tasks.add(openAi("acme", "long-" + i, longPolicy));
                tasks.add(openAi("acme", "short-" + i, "Be brief."));
            }
            h.publish(PipelineFixture.batch("b-cache-openai", PipelineFixture.OPENAI, tasks, 0, h.clock.instant()));
            h.intakeUntil(tasks.size(), 1);
            h.runUntilQuiet(60);

            String fingerprint = CacheablePrefix.of(Provider.OPENAI, "/v1/chat/completions",
                    tasks.getFirst().submitted().request()).fingerprint();
            assertThat(h.db.query("SELECT DISTINCT adjustment ->> 'prompt_cache_key' FROM batch_items"
                    + " WHERE adjustment IS NOT NULL", rs -> rs.getString(1))).containsExactly("offpeak-" + fingerprint);
            assertThat(h.count("SELECT count(*) FROM batch_items WHERE adjustment IS NOT NULL")).isEqualTo(6);

            // what the provider received: the uploaded input file, lines of one prefix adjacent
            String fileId = h.text("SELECT input_file_id FROM batches");
            HttpResponse<String> file = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(h.emulator.openAiBaseUrl() + "/files/" + fileId + "/content"))
                    .header("Authorization", "Bearer " + MoneyPathHarness.KEY).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(file.statusCode()).isEqualTo(200);
            List<String> order = new ArrayList<>();
            for (String line : file.body().split("\n")) {
                JsonNode body = Json.mapper().readTree(line).path("body");
                boolean isLong = body.path("messages").path(0).path("content").asText().startsWith("Summarise");
                order.add(isLong ? "L" : "S");
                assertThat(body.has("prompt_cache_key")).as(line).isEqualTo(isLong);
            }
            assertThat(String.join("", order)).matches("L{6}S{6}|S{6}L{6}");
            // the long prefix was read from cache by every line after the first
            assertThat(h.count("SELECT count(*) FROM results WHERE cached_input_tokens > 0")).isEqualTo(5);
            new CostRecomputation(h.db).assertEveryStoredCostIsExact();
        }
    }
}
