package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prompt caching of each provider as its documentation describes it (module README, "Caching"), over
 * real HTTP against the in-process emulator on a manual clock with the shipped model registry: the
 * per-model minimum, caches shared across batches of one key for their lifetime and gone after it,
 * Anthropic's breakpoints, OpenAI's prompt_cache_key, Gemini's implicit caching and cachedContents API.
 */
class PromptCachingTest {
    @TempDir
    Path tmp;
    private final ManualClock clock = ManualClock.startingAt2026();
    private ProviderEmulator emu;

    @BeforeEach
    void start() {
        start(EmulatorConfig.Choices.defaults());
    }

    private void start(EmulatorConfig.Choices choices) {
        if (emu != null) {
            emu.close();
        }
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withChoices(choices).withSpeed(
                new EmulatorConfig.Speed(1, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(5))));
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    /** {@code n} estimated tokens (four characters each). */
    private static String tokens4(int n) {
        return "data".repeat(n);
    }

    // ---- Anthropic -------------------------------------------------------------------------------

    private static String anthropicRequest(String id, String model, String system, String ttl, String text) {
        return "{\"custom_id\":\"" + id + "\",\"params\":{\"model\":\"" + model + "\",\"max_tokens\":16,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"" + system + "\",\"cache_control\":{\"type\":\"ephemeral\""
                + (ttl == null ? "" : ",\"ttl\":\"" + ttl + "\"") + "}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}}";
    }

    /** Runs one Anthropic batch to its end and returns each request's result by custom_id. */
    private Map<String, JsonNode> anthropicBatch(String key, List<String> requests) {
        TestHttp http = TestHttp.anthropic(emu, key);
        TestHttp.Resp created = http.post("/v1/messages/batches", AnthropicConformanceTest.body(requests));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(2 + requests.size() + 3));
        Map<String, JsonNode> out = new HashMap<>();
        http.get("/v1/messages/batches/" + created.json().get("id").asText() + "/results").jsonl()
                .forEach(l -> out.put(l.get("custom_id").asText(), l.get("result")));
        return out;
    }

    private static JsonNode usage(Map<String, JsonNode> results, String id) {
        assertThat(results.get(id).get("type").asText()).as(results.get(id).toString()).isEqualTo("succeeded");
        return results.get(id).at("/message/usage");
    }

    @Test
    void anthropicHaiku45DoesNotCacheA2000TokenPrefixButSonnet45CachesA1100TokenOne() {
        String small = tokens4(2_000);
        Map<String, JsonNode> haiku = anthropicBatch("sk-ant-a", List.of(
                anthropicRequest("h1", "claude-haiku-4-5", small, null, "one"),
                anthropicRequest("h2", "claude-haiku-4-5", small, null, "two")));
        for (String id : List.of("h1", "h2")) {
            JsonNode u = usage(haiku, id);
            assertThat(u.get("cache_creation_input_tokens").asInt()).isZero();
            assertThat(u.get("cache_read_input_tokens").asInt()).isZero();
            assertThat(u.get("input_tokens").asInt()).isEqualTo(2_000 + 1);
        }

        String sonnetPrefix = tokens4(1_100);
        Map<String, JsonNode> sonnet = anthropicBatch("sk-ant-a", List.of(
                anthropicRequest("s1", "claude-sonnet-4-5", sonnetPrefix, null, "one"),
                anthropicRequest("s2", "claude-sonnet-4-5", sonnetPrefix, null, "two")));
        JsonNode s1 = usage(sonnet, "s1");
        JsonNode s2 = usage(sonnet, "s2");
        assertThat(s1.get("cache_creation_input_tokens").asInt()).isEqualTo(1_100);
        assertThat(s1.at("/cache_creation/ephemeral_5m_input_tokens").asInt()).isEqualTo(1_100);
        assertThat(s1.get("input_tokens").asInt()).isEqualTo(1);
        assertThat(s2.get("cache_read_input_tokens").asInt()).isEqualTo(1_100);
        assertThat(s2.get("cache_creation_input_tokens").asInt()).isZero();
        assertThat(s2.get("input_tokens").asInt()).isEqualTo(1);
    }

    @Test
    void anthropicCacheLivesAcrossBatchesOfOneKeyForItsTtlRefreshedByHits() {
        String prefix = tokens4(1_500);
        Map<String, JsonNode> first = anthropicBatch("sk-ant-a",
                List.of(anthropicRequest("a", "claude-sonnet-4-5", prefix, null, "one")));
        assertThat(usage(first, "a").get("cache_creation_input_tokens").asInt()).isEqualTo(1_500);

        clock.advance(Duration.ofMinutes(3)); // within 5 minutes of the write
        Map<String, JsonNode> second = anthropicBatch("sk-ant-a",
                List.of(anthropicRequest("b", "claude-sonnet-4-5", prefix, null, "two")));
        assertThat(usage(second, "b").get("cache_read_input_tokens").asInt()).isEqualTo(1_500);

        clock.advance(Duration.ofMinutes(4)); // 7 minutes after the write, 4 after the hit refreshed it
        Map<String, JsonNode> third = anthropicBatch("sk-ant-a",
                List.of(anthropicRequest("c", "claude-sonnet-4-5", prefix, null, "three")));
        assertThat(usage(third, "c").get("cache_read_input_tokens").asInt()).isEqualTo(1_500);

        Map<String, JsonNode> otherKey = anthropicBatch("sk-ant-other",
                List.of(anthropicRequest("d", "claude-sonnet-4-5", prefix, null, "four")));
        assertThat(usage(otherKey, "d").get("cache_read_input_tokens").asInt()).as("another organization").isZero();
        assertThat(usage(otherKey, "d").get("cache_creation_input_tokens").asInt()).isEqualTo(1_500);

        clock.advance(Duration.ofMinutes(6)); // past the 5-minute TTL
        Map<String, JsonNode> late = anthropicBatch("sk-ant-a",
                List.of(anthropicRequest("e", "claude-sonnet-4-5", prefix, null, "five")));
        assertThat(usage(late, "e").get("cache_read_input_tokens").asInt()).isZero();
        assertThat(usage(late, "e").get("cache_creation_input_tokens").asInt()).isEqualTo(1_500);
    }

    @Test
    void anthropicOneHourTtlOutlivesFiveMinutes() {
        String prefix = tokens4(1_500);
        Map<String, JsonNode> first = anthropicBatch("sk-ant-a",
                List.of(anthropicRequest("a", "claude-sonnet-4-5", prefix, "1h", "one")));
        assertThat(usage(first, "a").at("/cache_creation/ephemeral_1h_input_tokens").asInt()).isEqualTo(1_500);
        assertThat(usage(first, "a").at("/cache_creation/ephemeral_5m_input_tokens").asInt()).isZero();
        clock.advance(Duration.ofMinutes(50));
        Map<String, JsonNode> second = anthropicBatch("sk-ant-a",
                List.of(anthropicRequest("b", "claude-sonnet-4-5", prefix, "1h", "two")));
        assertThat(usage(second, "b").get("cache_read_input_tokens").asInt()).isEqualTo(1_500);
        clock.advance(Duration.ofMinutes(61));
        Map<String, JsonNode> third = anthropicBatch("sk-ant-a",
                List.of(anthropicRequest("c", "claude-sonnet-4-5", prefix, "1h", "three")));
        assertThat(usage(third, "c").get("cache_read_input_tokens").asInt()).isZero();
    }

    @Test
    void anthropicReadsTheLongestCachedBreakpointAndWritesTheRestSplitByTtl() {
        String tool = "{\"name\":\"lookup\",\"description\":\"" + tokens4(1_200) + "\",\"input_schema\":{\"type\":\"object\"},"
                + "\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}";
        int toolTokens = TokenCounter.estimate(Json.parseObject(new java.io.ByteArrayInputStream(
                tool.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toString().length());
        String withSystem = "{\"custom_id\":\"both\",\"params\":{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,"
                + "\"tools\":[" + tool + "],\"system\":[{\"type\":\"text\",\"text\":\"" + tokens4(500)
                + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}";
        String toolsOnly = "{\"custom_id\":\"tools\",\"params\":{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,"
                + "\"tools\":[" + tool + "],\"system\":\"" + tokens4(100) + "\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}}";
        Map<String, JsonNode> first = anthropicBatch("sk-ant-a", List.of(toolsOnly));
        JsonNode t = usage(first, "tools");
        assertThat(t.get("cache_creation_input_tokens").asInt()).isEqualTo(toolTokens);
        assertThat(t.at("/cache_creation/ephemeral_1h_input_tokens").asInt()).isEqualTo(toolTokens);

        Map<String, JsonNode> second = anthropicBatch("sk-ant-a", List.of(withSystem));
        JsonNode b = usage(second, "both");
        assertThat(b.get("cache_read_input_tokens").asInt()).isEqualTo(toolTokens);
        assertThat(b.get("cache_creation_input_tokens").asInt()).isEqualTo(500);
        assertThat(b.at("/cache_creation/ephemeral_5m_input_tokens").asInt()).isEqualTo(500);
        assertThat(b.at("/cache_creation/ephemeral_1h_input_tokens").asInt()).isZero();
    }

    @Test
    void anthropicMoreThanFourBreakpointsIsAnInvalidRequest() {
        StringBuilder blocks = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            blocks.append(i == 0 ? "" : ",").append("{\"type\":\"text\",\"text\":\"part ").append(i)
                    .append("\",\"cache_control\":{\"type\":\"ephemeral\"}}");
        }
        String five = "{\"custom_id\":\"five\",\"params\":{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"system\":["
                + blocks + "],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}";
        Map<String, JsonNode> r = anthropicBatch("sk-ant-a", List.of(five));
        assertThat(r.get("five").get("type").asText()).isEqualTo("errored");
        assertThat(r.get("five").at("/error/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(r.get("five").at("/error/error/message").asText())
                .isEqualTo("A maximum of 4 blocks with cache_control may be provided. Found 5.");
    }

    // ---- OpenAI ----------------------------------------------------------------------------------

    private static String openAiLine(String id, String model, String text, String extra) {
        return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\""
                + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]"
                + (extra == null ? "" : "," + extra) + "}}";
    }

    /** Runs one OpenAI chat batch to its end; the cached tokens of each line by custom_id. */
    private Map<String, Integer> openAiBatch(String key, List<String> lines) throws IOException {
        TestHttp http = TestHttp.openAi(emu, key);
        Path f = Files.write(tmp.resolve("in-" + System.nanoTime() + ".jsonl"), lines);
        String fileId = http.upload("/files", "batch", f).json().get("id").asText();
        TestHttp.Resp created = http.post("/batches", "{\"input_file_id\":\"" + fileId
                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(2 + lines.size() + 3));
        JsonNode b = http.get("/batches/" + created.json().get("id").asText()).json();
        assertThat(b.get("status").asText()).as(b.toString()).isEqualTo("completed");
        Map<String, Integer> cached = new HashMap<>();
        for (JsonNode l : http.get("/files/" + b.get("output_file_id").asText() + "/content").jsonl()) {
            cached.put(l.get("custom_id").asText(), l.at("/response/body/usage/prompt_tokens_details/cached_tokens").asInt());
        }
        assertThat(cached).as("every line answered").hasSize(lines.size());
        return cached;
    }

    private static final String SHARED = "The quarterly report lists revenue, costs and margins for every region. ".repeat(120);

    @Test
    void openAiCacheLivesAcrossBatchesUntilTenMinutesIdle() throws IOException {
        assertThat(openAiBatch("sk-a", List.of(openAiLine("a", "gpt-4o-mini", SHARED + "first", null)))
                .get("a")).isZero();
        clock.advance(Duration.ofMinutes(5));
        int hit = openAiBatch("sk-a", List.of(openAiLine("b", "gpt-4o-mini", SHARED + "second", null))).get("b");
        assertThat(hit).isGreaterThanOrEqualTo(1024);
        assertThat(hit % 128).isZero();
        assertThat(openAiBatch("sk-other", List.of(openAiLine("c", "gpt-4o-mini", SHARED + "third", null))).get("c"))
                .as("another organization's key").isZero();
        assertThat(openAiBatch("sk-a", List.of(openAiLine("d", "gpt-4o", SHARED + "fourth", null))).get("d"))
                .as("another model").isZero();
        clock.advance(Duration.ofMinutes(11));
        assertThat(openAiBatch("sk-a", List.of(openAiLine("e", "gpt-4o-mini", SHARED + "fifth", null))).get("e"))
                .as("after ten idle minutes").isZero();
    }

    @Test
    void openAiPromptCacheKeySplitsTheCache() throws IOException {
        Map<String, Integer> cached = openAiBatch("sk-a", List.of(
                openAiLine("k1", "gpt-4o-mini", SHARED + "one", "\"prompt_cache_key\":\"tenant-1\""),
                openAiLine("k2", "gpt-4o-mini", SHARED + "two", "\"prompt_cache_key\":\"tenant-2\""),
                openAiLine("k1b", "gpt-4o-mini", SHARED + "three", "\"prompt_cache_key\":\"tenant-1\""),
                openAiLine("none", "gpt-4o-mini", SHARED + "four", null)));
        assertThat(cached.get("k1")).isZero();
        assertThat(cached.get("k2")).as("another prompt_cache_key").isZero();
        assertThat(cached.get("k1b")).isGreaterThanOrEqualTo(1024);
        assertThat(cached.get("none")).as("no key is a key of its own").isZero();
    }

    @Test
    void openAiExtendedRetentionKeepsAPrefixBeyondAnHourOnModelsThatOfferIt() throws IOException {
        String retention = "\"prompt_cache_retention\":\"24h\"";
        openAiBatch("sk-a", List.of(openAiLine("a", "gpt-4.1-mini", SHARED + "one", retention)));
        openAiBatch("sk-a", List.of(openAiLine("m", "gpt-4o-mini", SHARED + "one", retention)));
        clock.advance(Duration.ofHours(2));
        Map<String, Integer> later = new HashMap<>(openAiBatch("sk-a",
                List.of(openAiLine("b", "gpt-4.1-mini", SHARED + "two", retention))));
        later.putAll(openAiBatch("sk-a", List.of(openAiLine("n", "gpt-4o-mini", SHARED + "two", retention))));
        assertThat(later.get("b")).isGreaterThanOrEqualTo(1024);
        assertThat(later.get("n")).as("gpt-4o-mini keeps in-memory retention").isZero();
    }

    @Test
    void openAiBelowTheMinimumAndEmbeddingsDoNotCache() throws IOException {
        String shortPrefix = "The report lists revenue. ".repeat(100); // about 500 tokens
        Map<String, Integer> cached = openAiBatch("sk-a", List.of(openAiLine("s1", "gpt-4o-mini", shortPrefix + "one", null),
                openAiLine("s2", "gpt-4o-mini", shortPrefix + "two", null)));
        assertThat(cached.get("s2")).isZero();

        TestHttp http = TestHttp.openAi(emu, "sk-a");
        String line = "{\"custom_id\":\"%s\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":"
                + "\"text-embedding-3-small\",\"input\":\"" + SHARED + "\"}}";
        Path f = Files.write(tmp.resolve("emb.jsonl"), List.of(line.formatted("e1"), line.formatted("e2")));
        String fileId = http.upload("/files", "batch", f).json().get("id").asText();
        String id = http.post("/batches", "{\"input_file_id\":\"" + fileId
                + "\",\"endpoint\":\"/v1/embeddings\",\"completion_window\":\"24h\"}").json().get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        JsonNode b = http.get("/batches/" + id).json();
        assertThat(b.get("status").asText()).isEqualTo("completed");
        assertThat(b.at("/usage/input_tokens_details/cached_tokens").asInt()).isZero();
    }

    // ---- Gemini ----------------------------------------------------------------------------------

    private static String geminiItem(String key, String system, String text, String cachedContent) {
        return "{\"request\":{" + (system == null ? "" : "\"systemInstruction\":{\"parts\":[{\"text\":\"" + system + "\"}]},")
                + (cachedContent == null ? "" : "\"cachedContent\":\"" + cachedContent + "\",")
                + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + text + "\"}]}]},"
                + "\"metadata\":{\"key\":\"" + key + "\"}}";
    }

    /** Runs one inline Gemini batch to its end; each line (response or error) by metadata key. */
    private Map<String, JsonNode> geminiBatch(String key, String model, List<String> items) {
        TestHttp http = TestHttp.gemini(emu, key);
        TestHttp.Resp created = http.post("/v1beta/models/" + model + ":batchGenerateContent",
                "{\"batch\":{\"displayName\":\"t\",\"inputConfig\":{\"requests\":{\"requests\":["
                        + String.join(",", items) + "]}}}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(2 + items.size() + 3));
        JsonNode done = http.get("/v1beta/" + created.json().get("name").asText()).json();
        assertThat(done.at("/metadata/state").asText()).as(done.toString()).isEqualTo("BATCH_STATE_SUCCEEDED");
        Map<String, JsonNode> out = new HashMap<>();
        done.at("/response/inlinedResponses/inlinedResponses").forEach(i -> out.put(i.at("/metadata/key").asText(), i));
        return out;
    }

    private static JsonNode usageMetadata(Map<String, JsonNode> lines, String key) {
        assertThat(lines.get(key).has("response")).as(lines.get(key).toString()).isTrue();
        return lines.get(key).at("/response/usageMetadata");
    }

    @Test
    void geminiImplicitCachingReportsTheSharedPrefixAboveEachModelsMinimum() {
        String system = tokens4(1_200);
        for (String model : List.of("gemini-2.5-flash", "gemini-2.5-flash-lite")) {
            Map<String, JsonNode> r = geminiBatch("AIza-a", model, List.of(geminiItem("a", system, "first question", null),
                    geminiItem("b", system, "second question", null)));
            assertThat(usageMetadata(r, "a").has("cachedContentTokenCount")).isFalse();
            JsonNode b = usageMetadata(r, "b");
            assertThat(b.get("cachedContentTokenCount").asInt()).as(model).isEqualTo(1_200);
            assertThat(b.get("promptTokenCount").asInt()).isEqualTo(1_200 + TokenCounter.estimate("second question".length()));
            assertThat(b.at("/cacheTokensDetails/0/tokenCount").asInt()).isEqualTo(1_200);
        }
        Map<String, JsonNode> small = geminiBatch("AIza-a", "gemini-2.5-flash", List.of(
                geminiItem("a", tokens4(800), "first", null), geminiItem("b", tokens4(800), "second", null)));
        assertThat(usageMetadata(small, "b").has("cachedContentTokenCount")).as("below 1,024").isFalse();
        Map<String, JsonNode> pro = geminiBatch("AIza-a", "gemini-2.5-pro", List.of(
                geminiItem("a", tokens4(2_000), "first", null), geminiItem("b", tokens4(2_000), "second", null)));
        assertThat(usageMetadata(pro, "b").has("cachedContentTokenCount")).as("below Pro's 4,096").isFalse();
    }

    @Test
    void geminiImplicitCacheLivesAcrossBatchesWithinItsWindowAndCanBeTurnedOff() {
        String system = tokens4(1_500);
        geminiBatch("AIza-a", "gemini-2.5-flash", List.of(geminiItem("a", system, "one", null)));
        clock.advance(Duration.ofMinutes(2));
        assertThat(usageMetadata(geminiBatch("AIza-a", "gemini-2.5-flash", List.of(geminiItem("b", system, "two", null))),
                "b").get("cachedContentTokenCount").asInt()).isEqualTo(1_500);
        clock.advance(Duration.ofMinutes(10));
        assertThat(usageMetadata(geminiBatch("AIza-a", "gemini-2.5-flash", List.of(geminiItem("c", system, "three", null))),
                "c").has("cachedContentTokenCount")).as("after the idle window").isFalse();

        start(EmulatorConfig.Choices.defaults().withGeminiImplicitCaching(false));
        Map<String, JsonNode> off = geminiBatch("AIza-a", "gemini-2.5-flash", List.of(geminiItem("a", system, "one", null),
                geminiItem("b", system, "two", null)));
        assertThat(usageMetadata(off, "b").has("cachedContentTokenCount")).isFalse();
    }

    @Test
    void geminiCachedContentsCreateReferenceUpdateDeleteAndStorage() {
        TestHttp http = TestHttp.gemini(emu, "AIza-a");
        TestHttp.Resp created = http.post("/v1beta/cachedContents", "{\"model\":\"models/gemini-2.5-flash\","
                + "\"displayName\":\"corpus\",\"systemInstruction\":{\"parts\":[{\"text\":\"" + tokens4(500) + "\"}]},"
                + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + tokens4(1_500) + "\"}]}],\"ttl\":\"600s\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        JsonNode cache = created.json();
        String name = cache.get("name").asText();
        assertThat(name).matches("cachedContents/[a-z0-9]{12}");
        assertThat(cache.get("model").asText()).isEqualTo("models/gemini-2.5-flash");
        assertThat(cache.get("displayName").asText()).isEqualTo("corpus");
        assertThat(cache.at("/usageMetadata/totalTokenCount").asInt()).isEqualTo(2_000);
        Instant createTime = Instant.parse(cache.get("createTime").asText());
        assertThat(Instant.parse(cache.get("expireTime").asText())).isEqualTo(createTime.plusSeconds(600));
        assertThat(cache.get("updateTime").asText()).isEqualTo(cache.get("createTime").asText());

        assertThat(http.get("/v1beta/" + name).json()).isEqualTo(cache);
        assertThat(http.get("/v1/" + name).status()).isEqualTo(200);
        assertThat(http.get("/v1beta/cachedContents").json().at("/cachedContents/0/name").asText()).isEqualTo(name);
        TestHttp other = TestHttp.gemini(emu, "AIza-other");
        assertThat(other.get("/v1beta/" + name).status()).as("another project's cache").isEqualTo(403);
        assertThat(other.get("/v1beta/cachedContents").json().size()).isZero();

        Map<String, JsonNode> r = geminiBatch("AIza-a", "gemini-2.5-flash", List.of(
                geminiItem("uses", null, "What does it say?", name),
                geminiItem("mixed", "be brief", "What does it say?", name),
                geminiItem("unknown", null, "What does it say?", "cachedContents/nosuchcache01")));
        JsonNode u = usageMetadata(r, "uses");
        int own = TokenCounter.estimate("What does it say?".length());
        assertThat(u.get("promptTokenCount").asInt()).isEqualTo(2_000 + own);
        assertThat(u.get("cachedContentTokenCount").asInt()).isEqualTo(2_000);
        assertThat(r.get("mixed").at("/error/code").asInt()).isEqualTo(400);
        assertThat(r.get("mixed").at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(r.get("mixed").at("/error/message").asText()).startsWith("CachedContent can not be used with "
                + "GenerateContent request setting system_instruction, tools or tool_config.");
        assertThat(r.get("unknown").at("/error/code").asInt()).isEqualTo(403);
        assertThat(r.get("unknown").at("/error/status").asText()).isEqualTo("PERMISSION_DENIED");

        Map<String, JsonNode> lite = geminiBatch("AIza-a", "gemini-2.5-flash-lite",
                List.of(geminiItem("x", null, "hi", name), geminiItem("ok", null, "hi", null)));
        assertThat(lite.get("x").at("/error/code").asInt()).isEqualTo(400);
        assertThat(lite.get("x").at("/error/message").asText()).isEqualTo("Model used by GenerateContent request "
                + "(models/gemini-2.5-flash-lite) and CachedContent (models/gemini-2.5-flash) has to be the same.");

        TestHttp.Resp patched = http.send("PATCH", "/v1beta/" + name, "{\"ttl\":\"3600s\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        Instant now = emu.now();
        assertThat(Instant.parse(patched.json().get("expireTime").asText())).isEqualTo(now.plusSeconds(3600));
        assertThat(http.send("PATCH", "/v1beta/" + name, "{\"contents\":[]}").status()).isEqualTo(400);

        clock.advance(Duration.ofSeconds(100));
        Instant deletedAt = emu.now();
        assertThat(http.delete("/v1beta/" + name).status()).isEqualTo(200);
        assertThat(http.get("/v1beta/" + name).status()).isEqualTo(403);
        JsonNode storage = TestHttp.admin(emu).get("/cached-contents").json().at("/cached_contents/0");
        long seconds = Duration.between(createTime, deletedAt).toSeconds();
        assertThat(storage.get("storage_token_seconds").asLong()).isEqualTo(2_000 * seconds);
        assertThat(storage.get("live").asBoolean()).isFalse();
        assertThat(emu.cachedContents()).singleElement()
                .satisfies(e -> assertThat(e.storageTokenSeconds(emu.now())).isEqualTo(2_000 * seconds));

        Map<String, JsonNode> afterDelete = geminiBatch("AIza-a", "gemini-2.5-flash",
                List.of(geminiItem("gone", null, "hi", name)));
        assertThat(afterDelete.get("gone").at("/error/code").asInt()).isEqualTo(403);
    }

    @Test
    void geminiCachedContentsSurviveARestartOnTheSameDataDir() {
        Path data = tmp.resolve("data");
        emu.close();
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withDataDir(data));
        TestHttp http = TestHttp.gemini(emu, "AIza-a");
        String name = http.post("/v1beta/cachedContents", "{\"model\":\"models/gemini-2.5-flash\",\"contents\":[{"
                + "\"role\":\"user\",\"parts\":[{\"text\":\"" + tokens4(1_100) + "\"}]}]}").json().get("name").asText();
        assertThat(http.send("PATCH", "/v1beta/" + name, "{\"ttl\":\"7200s\"}").status()).isEqualTo(200);
        JsonNode before = http.get("/v1beta/" + name).json();
        emu.close();
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withDataDir(data));
        http = TestHttp.gemini(emu, "AIza-a");
        assertThat(http.get("/v1beta/" + name).json()).isEqualTo(before);
        assertThat(TestHttp.gemini(emu, "AIza-other").get("/v1beta/" + name).status()).isEqualTo(403);
        emu.reset();
        assertThat(http.get("/v1beta/" + name).status()).isEqualTo(403);
    }

    @Test
    void geminiCachedContentExpiresAndStorageStopsAtExpiry() {
        TestHttp http = TestHttp.gemini(emu, "AIza-a");
        JsonNode cache = http.post("/v1/cachedContents", "{\"model\":\"models/gemini-2.5-flash\",\"contents\":[{\"role\":"
                + "\"user\",\"parts\":[{\"text\":\"" + tokens4(1_100) + "\"}]}]}").json();
        assertThat(Duration.between(Instant.parse(cache.get("createTime").asText()),
                Instant.parse(cache.get("expireTime").asText()))).as("the default TTL").isEqualTo(Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(61));
        assertThat(http.get("/v1/" + cache.get("name").asText()).status()).isEqualTo(403);
        assertThat(emu.cachedContents().getFirst().storageTokenSeconds(emu.now())).isEqualTo(1_100L * 3600);
    }

    @Test
    void geminiCachedContentBelowTheModelsMinimumIsRefused() {
        TestHttp http = TestHttp.gemini(emu, "AIza-a");
        TestHttp.Resp small = http.post("/v1beta/cachedContents", "{\"model\":\"models/gemini-2.5-pro\",\"contents\":"
                + "[{\"role\":\"user\",\"parts\":[{\"text\":\"" + tokens4(2_000) + "\"}]}]}");
        assertThat(small.status()).isEqualTo(400);
        assertThat(small.json().at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(small.json().at("/error/message").asText())
                .isEqualTo("Cached content is too small. total_token_count=2000, min_total_token_count=4096");
        assertThat(http.post("/v1beta/cachedContents", "{\"model\":\"models/gemini-2.5-flash\",\"contents\":"
                + "[{\"role\":\"user\",\"parts\":[{\"text\":\"" + tokens4(2_000) + "\"}]}],\"ttl\":\"1h\"}").status())
                .as("ttl is a protobuf Duration").isEqualTo(400);
        assertThat(TestHttp.gemini(emu, null).post("/v1beta/cachedContents", "{}").status()).isEqualTo(403);
    }
}
