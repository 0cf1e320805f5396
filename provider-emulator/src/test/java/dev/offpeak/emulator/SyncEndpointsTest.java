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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The synchronous endpoints (module README, "Synchronous and flex endpoints") over real HTTP against the
 * in-process emulator on a manual clock: the same answer and usage as a batch line, one prompt cache for
 * both, the flex tier (models, latency, shedding), injected faults, refusal shapes, and the counters.
 */
class SyncEndpointsTest {
    private static final Duration FLEX = Duration.ofMillis(300);
    private static final String SHARED = "The quarterly report lists revenue, costs and margins for every region. "
            .repeat(120);

    @TempDir
    Path tmp;
    private final ManualClock clock = ManualClock.startingAt2026();
    private ProviderEmulator emu;

    @BeforeEach
    void start() {
        start(EmulatorConfig.Choices.defaults().withFlex(FLEX, FLEX, 0.0));
    }

    private void start(EmulatorConfig.Choices choices) {
        if (emu != null) {
            emu.close();
        }
        // 100 lines/s: flex latency unscaled; lines finish 10 ms apart on the manual clock
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withChoices(choices).withSpeed(
                new EmulatorConfig.Speed(100, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(5))));
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    // ---- OpenAI ----------------------------------------------------------------------------------

    private static String chatBody(String model, String text, String extra) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]"
                + (extra == null ? "" : "," + extra) + "}";
    }

    /** Runs one OpenAI batch of these bodies on {@code endpoint}; the output lines' bodies in input order. */
    private List<JsonNode> openAiBatch(String key, String endpoint, List<String> bodies) throws IOException {
        TestHttp http = TestHttp.openAi(emu, key);
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            lines.add("{\"custom_id\":\"l" + i + "\",\"method\":\"POST\",\"url\":\"" + endpoint + "\",\"body\":"
                    + bodies.get(i) + "}");
        }
        Path f = Files.write(tmp.resolve("in-" + System.nanoTime() + ".jsonl"), lines);
        String fileId = http.upload("/files", "batch", f).json().get("id").asText();
        TestHttp.Resp created = http.post("/batches", "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\""
                + endpoint + "\",\"completion_window\":\"24h\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(5));
        JsonNode b = http.get("/batches/" + created.json().get("id").asText()).json();
        assertThat(b.get("status").asText()).as(b.toString()).isEqualTo("completed");
        JsonNode[] out = new JsonNode[bodies.size()];
        for (JsonNode l : http.get("/files/" + b.get("output_file_id").asText() + "/content").jsonl()) {
            out[Integer.parseInt(l.get("custom_id").asText().substring(1))] = l.at("/response/body");
        }
        return List.of(out);
    }

    @Test
    void openAiChatAnswersAsTheSameBatchLine() throws IOException {
        String body = chatBody("gpt-4o-mini", "Classify: great product", "\"max_tokens\":40");
        JsonNode line = openAiBatch("sk-batch", "/v1/chat/completions", List.of(body)).getFirst();
        TestHttp.Resp r = TestHttp.openAi(emu, "sk-sync").post("/chat/completions", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode sync = r.json();
        assertThat(r.header("x-request-id")).isNotBlank();
        assertThat(sync.get("object").asText()).isEqualTo("chat.completion");
        assertThat(sync.get("id").asText()).isEqualTo(line.get("id").asText());
        assertThat(sync.at("/choices/0/message/content").asText()).isEqualTo(line.at("/choices/0/message/content").asText());
        assertThat(sync.get("usage")).isEqualTo(line.get("usage"));
        assertThat(sync.get("service_tier").asText()).isEqualTo("default");
        assertThat(emu.counters().sync(Provider.OPENAI, Operations.CHAT_COMPLETIONS, "standard",
                Counters.SyncOutcome.ANSWERED)).isEqualTo(1);

        // the tier does not change the answer; "auto" is served as default
        JsonNode auto = TestHttp.openAi(emu, "sk-sync").post("/chat/completions",
                chatBody("gpt-4o-mini", "Classify: great product", "\"max_tokens\":40,\"service_tier\":\"auto\"")).json();
        assertThat(auto.at("/choices/0/message/content")).isEqualTo(sync.at("/choices/0/message/content"));
        assertThat(auto.get("service_tier").asText()).isEqualTo("default");
    }

    @Test
    void openAiResponsesAndEmbeddingsAnswerAsBatchLines() throws IOException {
        String resp = "{\"model\":\"gpt-4.1-mini\",\"instructions\":\"Be brief.\",\"input\":\"Summarize: fine\"}";
        JsonNode line = openAiBatch("sk-a", "/v1/responses", List.of(resp)).getFirst();
        JsonNode sync = TestHttp.openAi(emu, "sk-b").post("/responses", resp).json();
        assertThat(sync.get("object").asText()).isEqualTo("response");
        assertThat(sync.at("/output/0/content/0/text")).isEqualTo(line.at("/output/0/content/0/text"));
        assertThat(sync.get("usage")).isEqualTo(line.get("usage"));
        assertThat(sync.get("service_tier").asText()).isEqualTo("default");

        String emb = "{\"model\":\"text-embedding-3-small\",\"input\":[\"one\",\"two\"]}";
        JsonNode eLine = openAiBatch("sk-a", "/v1/embeddings", List.of(emb)).getFirst();
        JsonNode eSync = TestHttp.openAi(emu, "sk-b").post("/embeddings", emb).json();
        assertThat(eSync).isEqualTo(eLine);
        assertThat(eSync.has("service_tier")).isFalse();
    }

    @Test
    void openAiSyncAndBatchShareThePromptCache() throws IOException {
        TestHttp http = TestHttp.openAi(emu, "sk-cache");
        JsonNode first = http.post("/chat/completions", chatBody("gpt-4o-mini", SHARED + "first", null)).json();
        assertThat(first.at("/usage/prompt_tokens").asInt()).isGreaterThan(1024);
        assertThat(first.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
        // a batch line of the same key, model and prefix reads what the synchronous call wrote
        JsonNode line = openAiBatch("sk-cache", "/v1/chat/completions",
                List.of(chatBody("gpt-4o-mini", SHARED + "second", null))).getFirst();
        int cached = line.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertThat(cached).isGreaterThanOrEqualTo(1024).isEqualTo(cached / 128 * 128);
        // and a later synchronous call reads it too; another key shares nothing
        JsonNode third = http.post("/chat/completions", chatBody("gpt-4o-mini", SHARED + "third", null)).json();
        assertThat(third.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(cached);
        JsonNode other = TestHttp.openAi(emu, "sk-other").post("/chat/completions",
                chatBody("gpt-4o-mini", SHARED + "third", null)).json();
        assertThat(other.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
        // gone after the in-memory lifetime (10 minutes idle)
        clock.advance(Duration.ofMinutes(11));
        JsonNode late = http.post("/chat/completions", chatBody("gpt-4o-mini", SHARED + "fourth", null)).json();
        assertThat(late.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
    }

    @Test
    void openAiFlexIsServedOnFlexModelsAfterItsLatency() {
        TestHttp http = TestHttp.openAi(emu, "sk-flex");
        String body = chatBody("gpt-5-mini", "Classify: fine", "\"service_tier\":\"flex\"");
        long t0 = System.nanoTime();
        TestHttp.Resp r = http.post("/chat/completions", body);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("service_tier").asText()).isEqualTo("flex");
        assertThat(ms).as("flex latency").isGreaterThanOrEqualTo(FLEX.toMillis() - 10);
        // the same request in the default tier: same answer, at once, reported as default
        long t1 = System.nanoTime();
        JsonNode std = http.post("/chat/completions", chatBody("gpt-5-mini", "Classify: fine", null)).json();
        assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(FLEX.toMillis());
        assertThat(std.get("service_tier").asText()).isEqualTo("default");
        assertThat(std.at("/choices/0/message/content")).isEqualTo(r.json().at("/choices/0/message/content"));
        JsonNode resp = http.post("/responses",
                "{\"model\":\"gpt-5\",\"input\":\"hi\",\"service_tier\":\"flex\"}").json();
        assertThat(resp.get("service_tier").asText()).isEqualTo("flex");
        assertThat(emu.counters().syncAnswered(Provider.OPENAI, "flex")).isEqualTo(2);
        assertThat(emu.counters().sync(Provider.OPENAI, Operations.CHAT_COMPLETIONS, "flex",
                Counters.SyncOutcome.ANSWERED)).isEqualTo(1);
        assertThat(emu.counters().syncAnswered(Provider.OPENAI, "standard")).isEqualTo(1);
    }

    @Test
    void openAiFlexOnAModelWithoutItIsRefused() {
        TestHttp.Resp r = TestHttp.openAi(emu, "sk").post("/chat/completions",
                chatBody("gpt-4o-mini", "hi", "\"service_tier\":\"flex\""));
        assertThat(r.status()).isEqualTo(400);
        JsonNode err = r.json().get("error");
        assertThat(err.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(err.get("param").asText()).isEqualTo("service_tier");
        assertThat(err.get("message").asText()).contains("service_tier").contains("flex");
        TestHttp.Resp bad = TestHttp.openAi(emu, "sk").post("/chat/completions",
                chatBody("gpt-4o-mini", "hi", "\"service_tier\":\"cheap\""));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/error/code").asText()).isEqualTo("invalid_value");
        assertThat(emu.counters().sync(Provider.OPENAI, Operations.CHAT_COMPLETIONS, "flex",
                Counters.SyncOutcome.REFUSED)).isEqualTo(1);
        assertThat(emu.counters().syncAnswered(Provider.OPENAI, "flex")).isZero();
    }

    @Test
    void openAiFlexSheddingAnswers429ResourceUnavailable() {
        TestHttp http = TestHttp.openAi(emu, "sk");
        emu.faults().shedNextFlex(Provider.OPENAI, 1);
        String body = chatBody("o3", "hi", "\"service_tier\":\"flex\"");
        TestHttp.Resp shed = http.post("/chat/completions", body);
        assertThat(shed.status()).isEqualTo(429);
        JsonNode err = shed.json().get("error");
        assertThat(err.get("type").asText()).isEqualTo("resource_unavailable");
        assertThat(err.get("code").asText()).isEqualTo("resource_unavailable");
        assertThat(err.get("message").asText()).startsWith("Resource unavailable");
        assertThat(err.get("param").isNull()).isTrue();
        assertThat(http.post("/chat/completions", body).status()).isEqualTo(200);
        assertThat(emu.counters().flexShed(Provider.OPENAI)).isEqualTo(1);
        assertThat(emu.counters().syncAnswered(Provider.OPENAI, "flex")).isEqualTo(1);
        assertThat(emu.counters().calls(Provider.OPENAI, Operations.CHAT_COMPLETIONS)).isEqualTo(2);

        // by probability: 1.0 sheds every flex call, never a default one
        start(EmulatorConfig.Choices.defaults().withFlex(FLEX, FLEX, 1.0));
        TestHttp again = TestHttp.openAi(emu, "sk");
        assertThat(again.post("/responses", "{\"model\":\"gpt-5\",\"input\":\"x\",\"service_tier\":\"flex\"}").status())
                .isEqualTo(429);
        assertThat(again.post("/responses", "{\"model\":\"gpt-5\",\"input\":\"x\"}").status()).isEqualTo(200);
    }

    @Test
    void openAiRefusalsAreHttpErrorObjects() {
        TestHttp http = TestHttp.openAi(emu, "sk");
        TestHttp.Resp unknown = http.post("/chat/completions", chatBody("gpt-nope", "hi", null));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().at("/error/code").asText()).isEqualTo("model_not_found");
        TestHttp.Resp rule = http.post("/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"content\":\"x\"}]}");
        assertThat(rule.status()).isEqualTo(400);
        assertThat(rule.json().at("/error/param").asText()).isEqualTo("messages[0].role");
        assertThat(rule.json().at("/error/code").asText()).isEqualTo("missing_required_parameter");
        TestHttp.Resp tooMany = http.post("/chat/completions", chatBody("gpt-4o-mini", "hi", "\"max_tokens\":9999999"));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().at("/error/param").asText()).isEqualTo("max_tokens");
        TestHttp.Resp stream = http.post("/chat/completions", chatBody("gpt-4o-mini", "hi", "\"stream\":true"));
        assertThat(stream.status()).isEqualTo(400);
        assertThat(stream.json().at("/error/param").asText()).isEqualTo("stream");
        assertThat(TestHttp.openAi(emu, null).post("/chat/completions", chatBody("gpt-4o-mini", "hi", null)).status())
                .isEqualTo(401);
    }

    @Test
    void faultsTargetTheSynchronousOperations() {
        emu.faults().failNext(Provider.OPENAI, Operations.CHAT_COMPLETIONS, 1, 429, Duration.ofSeconds(3));
        TestHttp.Resp limited = TestHttp.openAi(emu, "sk").post("/chat/completions", chatBody("gpt-4o-mini", "hi", null));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("retry-after")).isEqualTo("3");
        assertThat(limited.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");

        emu.faults().failNext(Provider.ANTHROPIC, Operations.MESSAGES, 1, 529, null);
        TestHttp.Resp overloaded = TestHttp.anthropic(emu, "sk-ant").post("/v1/messages", anthropicBody("hi", null));
        assertThat(overloaded.status()).isEqualTo(529);
        assertThat(overloaded.json().at("/error/type").asText()).isEqualTo("overloaded_error");
        emu.faults().failNext(Provider.ANTHROPIC, Operations.MESSAGES, 1, 429, Duration.ofSeconds(7));
        TestHttp.Resp rate = TestHttp.anthropic(emu, "sk-ant").post("/v1/messages", anthropicBody("hi", null));
        assertThat(rate.status()).isEqualTo(429);
        assertThat(rate.header("retry-after")).isEqualTo("7");
        assertThat(rate.json().at("/error/type").asText()).isEqualTo("rate_limit_error");

        emu.faults().failNext(Provider.GEMINI, Operations.GENERATE_CONTENT, 1, 429, Duration.ofSeconds(9));
        TestHttp.Resp quota = TestHttp.gemini(emu, "g").post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("hi", null));
        assertThat(quota.status()).isEqualTo(429);
        assertThat(quota.json().at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(quota.json().at("/error/details/1/retryDelay").asText()).isEqualTo("9s");
        emu.faults().failNext(Provider.GEMINI, Operations.GENERATE_CONTENT, 1, 500, null);
        assertThat(TestHttp.gemini(emu, "g").post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("hi", null)).json().at("/error/status").asText()).isEqualTo("INTERNAL");
        // a faulted call counts as a call, never as answered
        assertThat(emu.counters().calls(Provider.GEMINI, Operations.GENERATE_CONTENT)).isEqualTo(2);
        assertThat(emu.counters().syncAnswered(Provider.GEMINI, "standard")).isZero();
        // the next call goes through
        assertThat(TestHttp.anthropic(emu, "sk-ant").post("/v1/messages", anthropicBody("hi", null)).status())
                .isEqualTo(200);
    }

    @Test
    void rateLimitedLanesAnswerWithTheProvidersHeadersAndRefuseOverTheLimitWith429() {
        // two requests per minute: the bucket starts full, refills one every 30 s (wall clock)
        emu.rateLimits().set(Provider.OPENAI, "gpt-4o-mini", 2, Duration.ofMinutes(1));
        emu.rateLimits().set(Provider.ANTHROPIC, "claude-sonnet", 1, Duration.ofMinutes(1));
        emu.rateLimits().set(Provider.GEMINI, "gemini-2.5-flash", 1, Duration.ofMinutes(1));
        TestHttp openAi = TestHttp.openAi(emu, "sk-limited");
        String body = chatBody("gpt-4o-mini", "Classify: fine", null);
        TestHttp.Resp first = openAi.post("/chat/completions", body);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.header("x-ratelimit-limit-requests")).isEqualTo("2");
        assertThat(first.header("x-ratelimit-remaining-requests")).isEqualTo("1");
        assertThat(first.header("x-ratelimit-reset-requests")).matches("(29\\.[0-9]+|30)s");
        assertThat(openAi.post("/chat/completions", body).header("x-ratelimit-remaining-requests")).isEqualTo("0");
        TestHttp.Resp over = openAi.post("/chat/completions", body);
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(over.header("x-ratelimit-remaining-requests")).isEqualTo("0");
        assertThat(over.header("x-ratelimit-reset-requests")).matches("(59\\.[0-9]+|1m0)s");
        assertThat(Long.parseLong(over.header("retry-after-ms"))).isBetween(29_000L, 30_000L);
        assertThat(over.header("retry-after")).isEqualTo("30");
        // another caller (another organization) and another model have buckets of their own
        assertThat(TestHttp.openAi(emu, "sk-other").post("/chat/completions", body).status()).isEqualTo(200);
        TestHttp.Resp unlimited = openAi.post("/chat/completions", chatBody("gpt-4.1-mini", "Classify: fine", null));
        assertThat(unlimited.status()).isEqualTo(200);
        assertThat(unlimited.header("x-ratelimit-limit-requests")).isNull();

        TestHttp anthropic = TestHttp.anthropic(emu, "sk-ant");
        TestHttp.Resp message = anthropic.post("/v1/messages", anthropicBody("hi", null));
        assertThat(message.status()).as(message.body()).isEqualTo(200);
        assertThat(message.header("anthropic-ratelimit-requests-limit")).isEqualTo("1");
        assertThat(message.header("anthropic-ratelimit-requests-remaining")).isEqualTo("0");
        assertThat(java.time.Instant.parse(message.header("anthropic-ratelimit-requests-reset")))
                .isAfter(java.time.Instant.now().plusSeconds(50));
        TestHttp.Resp refused = anthropic.post("/v1/messages", anthropicBody("hi", null));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(refused.header("retry-after")).isIn("59", "60");

        TestHttp gemini = TestHttp.gemini(emu, "g");
        assertThat(gemini.post("/v1beta/models/gemini-2.5-flash:generateContent", geminiBody("hi", null)).status())
                .isEqualTo(200);
        TestHttp.Resp exhausted = gemini.post("/v1beta/models/gemini-2.5-flash:generateContent", geminiBody("hi", null));
        assertThat(exhausted.status()).isEqualTo(429);
        assertThat(exhausted.json().at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(exhausted.json().at("/error/details/1/retryDelay").asText()).matches("(59\\.[0-9]+|60)s");

        assertThat(emu.counters().syncRateLimited(Provider.OPENAI)).isEqualTo(1);
        assertThat(emu.counters().syncRateLimited(Provider.ANTHROPIC)).isEqualTo(1);
        assertThat(emu.counters().syncRateLimited(Provider.GEMINI)).isEqualTo(1);
        assertThat(emu.counters().syncAnswered(Provider.OPENAI, "standard")).isEqualTo(4);
        emu.reset();
        assertThat(openAi.post("/chat/completions", body).header("x-ratelimit-limit-requests")).isNull();
    }

    @Test
    void tokenLimitedLanesCountEachRequestsCharactersOverFourAndRefuseOneLargerThanTheLimit() throws IOException {
        String body = chatBody("gpt-4.1-mini", "Classify: fine", null);
        long each = SyncRateLimits.tokensOf(Json.MAPPER.readTree(body));
        emu.rateLimits().set(Provider.OPENAI, "gpt-4.1-mini", 1_000, each * 3, Duration.ofMinutes(1));
        emu.rateLimits().set(Provider.ANTHROPIC, "claude-sonnet", 1_000, 1_000, Duration.ofMinutes(1));
        TestHttp openAi = TestHttp.openAi(emu, "sk-tokens");
        TestHttp.Resp first = openAi.post("/chat/completions", body);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.header("x-ratelimit-limit-tokens")).isEqualTo(Long.toString(each * 3));
        assertThat(first.header("x-ratelimit-remaining-tokens")).isEqualTo(Long.toString(each * 2));
        assertThat(first.header("x-ratelimit-remaining-requests")).isEqualTo("999");
        assertThat(openAi.post("/chat/completions", body).status()).isEqualTo(200);
        assertThat(openAi.post("/chat/completions", body).status()).isEqualTo(200);
        TestHttp.Resp over = openAi.post("/chat/completions", body);
        assertThat(over.status()).isEqualTo(429);
        assertThat(Long.parseLong(over.header("retry-after-ms"))).isBetween(15_000L, 20_000L);
        // larger than the whole limit: refused without a retry hint, it would never pass
        TestHttp.Resp huge = openAi.post("/chat/completions", chatBody("gpt-4.1-mini", "x".repeat(2_000), null));
        assertThat(huge.status()).isEqualTo(429);
        assertThat(huge.json().at("/error/message").asText()).startsWith("Request too large for gpt-4.1-mini");
        assertThat(huge.header("retry-after")).isNull();

        TestHttp.Resp message = TestHttp.anthropic(emu, "sk-ant").post("/v1/messages", anthropicBody("hi", null));
        assertThat(message.status()).as(message.body()).isEqualTo(200);
        assertThat(message.header("anthropic-ratelimit-input-tokens-limit")).isEqualTo("1000");
        assertThat(Long.parseLong(message.header("anthropic-ratelimit-input-tokens-remaining")))
                .isEqualTo(1_000 - SyncRateLimits.tokensOf(Json.MAPPER.readTree(anthropicBody("hi", null))));
        assertThat(emu.counters().syncRateLimited(Provider.OPENAI)).isEqualTo(2);
    }

    // ---- Anthropic -------------------------------------------------------------------------------

    private static String anthropicBody(String text, String system) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":32,"
                + (system == null ? "" : "\"system\":[{\"type\":\"text\",\"text\":\"" + system
                + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private JsonNode anthropicBatchMessage(String key, String params) {
        TestHttp http = TestHttp.anthropic(emu, key);
        TestHttp.Resp created = http.post("/v1/messages/batches",
                "{\"requests\":[{\"custom_id\":\"a\",\"params\":" + params + "}]}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(5));
        JsonNode result = http.get("/v1/messages/batches/" + created.json().get("id").asText() + "/results")
                .jsonl().getFirst().get("result");
        assertThat(result.get("type").asText()).as(result.toString()).isEqualTo("succeeded");
        return result.get("message");
    }

    @Test
    void anthropicMessagesAnswerAsBatchRequestsAndShareTheCache() {
        String system = "data".repeat(1_200);
        JsonNode batch = anthropicBatchMessage("sk-ant", anthropicBody("Classify: fine", system));
        assertThat(batch.at("/usage/cache_creation_input_tokens").asInt()).isEqualTo(1_200);
        TestHttp.Resp r = TestHttp.anthropic(emu, "sk-ant").post("/v1/messages", anthropicBody("Classify: fine", system));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("request-id")).isNotBlank();
        JsonNode msg = r.json();
        assertThat(msg.get("type").asText()).isEqualTo("message");
        assertThat(msg.get("id")).isEqualTo(batch.get("id"));
        assertThat(msg.get("content")).isEqualTo(batch.get("content"));
        assertThat(msg.get("stop_reason")).isEqualTo(batch.get("stop_reason"));
        // the synchronous call reads the prefix the batch wrote
        assertThat(msg.at("/usage/cache_read_input_tokens").asInt()).isEqualTo(1_200);
        assertThat(msg.at("/usage/cache_creation_input_tokens").asInt()).isZero();
        assertThat(msg.at("/usage/input_tokens").asInt())
                .isEqualTo(batch.at("/usage/input_tokens").asInt());
        assertThat(msg.at("/usage/output_tokens")).isEqualTo(batch.at("/usage/output_tokens"));
        assertThat(msg.at("/usage/service_tier").asText()).isEqualTo("standard");
        assertThat(batch.at("/usage/service_tier").asText()).isEqualTo("batch");
        // and another key shares nothing: it writes
        JsonNode other = TestHttp.anthropic(emu, "sk-other").post("/v1/messages",
                anthropicBody("Classify: fine", system)).json();
        assertThat(other.at("/usage/cache_creation_input_tokens").asInt()).isEqualTo(1_200);
        assertThat(emu.counters().syncAnswered(Provider.ANTHROPIC, "standard")).isEqualTo(2);
    }

    @Test
    void anthropicRefusalsAreMessagesApiErrors() {
        TestHttp http = TestHttp.anthropic(emu, "sk-ant");
        TestHttp.Resp missing = http.post("/v1/messages",
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(missing.status()).isEqualTo(400);
        JsonNode body = missing.json();
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.at("/error/message").asText()).isEqualTo("max_tokens: Field required");
        assertThat(body.get("request_id").asText()).isEqualTo(missing.header("request-id"));
        TestHttp.Resp unknown = http.post("/v1/messages",
                "{\"model\":\"claude-nope\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().at("/error/type").asText()).isEqualTo("not_found_error");
        assertThat(unknown.json().at("/error/message").asText()).isEqualTo("model: claude-nope");
        TestHttp.Resp stream = http.post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,"
                + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(stream.status()).isEqualTo(400);
        assertThat(stream.json().at("/error/message").asText()).startsWith("stream:");
        assertThat(emu.counters().sync(Provider.ANTHROPIC, Operations.MESSAGES, "standard",
                Counters.SyncOutcome.REFUSED)).isEqualTo(3);
    }

    // ---- Gemini ----------------------------------------------------------------------------------

    private static String geminiBody(String text, String extra) {
        return "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + text + "\"}]}]"
                + (extra == null ? "" : "," + extra) + "}";
    }

    private JsonNode geminiBatchResponse(String key, String model, String request) {
        TestHttp http = TestHttp.gemini(emu, key);
        TestHttp.Resp created = http.post("/v1beta/models/" + model + ":batchGenerateContent",
                "{\"batch\":{\"displayName\":\"t\",\"inputConfig\":{\"requests\":{\"requests\":[{\"request\":"
                        + request + "}]}}}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(5));
        JsonNode done = http.get("/v1beta/" + created.json().get("name").asText()).json();
        JsonNode item = done.at("/response/inlinedResponses/inlinedResponses/0");
        assertThat(item.has("response")).as(done.toString()).isTrue();
        return item.get("response");
    }

    @Test
    void geminiGenerateContentAnswersAsBatchRequestsAndSharesImplicitCaching() {
        String system = "{\"parts\":[{\"text\":\"" + "data".repeat(1_200) + "\"}]}";
        String request = geminiBody("Classify: fine", "\"systemInstruction\":" + system);
        TestHttp http = TestHttp.gemini(emu, "g-key");
        TestHttp.Resp r = http.post("/v1beta/models/gemini-2.5-flash:generateContent", request);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode sync = r.json();
        assertThat(sync.at("/usageMetadata/cachedContentTokenCount").isMissingNode()).isTrue();
        assertThat(sync.at("/usageMetadata/serviceTier").asText()).isEqualTo("standard");
        assertThat(r.header("x-gemini-service-tier")).isEqualTo("standard");
        // the batch line of the same key reads the prefix the synchronous call left
        JsonNode batch = geminiBatchResponse("g-key", "gemini-2.5-flash", request);
        assertThat(batch.get("candidates")).isEqualTo(sync.get("candidates"));
        assertThat(batch.at("/usageMetadata/promptTokenCount")).isEqualTo(sync.at("/usageMetadata/promptTokenCount"));
        assertThat(batch.at("/usageMetadata/candidatesTokenCount"))
                .isEqualTo(sync.at("/usageMetadata/candidatesTokenCount"));
        assertThat(batch.at("/usageMetadata/cachedContentTokenCount").asInt()).isGreaterThanOrEqualTo(1_024);
        // v1 answers too, and reads the cache as well
        JsonNode v1 = http.post("/v1/models/gemini-2.5-flash:generateContent", request).json();
        assertThat(v1.at("/usageMetadata/cachedContentTokenCount").asInt()).isGreaterThanOrEqualTo(1_024);
    }

    @Test
    void geminiGenerateContentUsesExplicitCaches() {
        TestHttp http = TestHttp.gemini(emu, "g-key");
        TestHttp.Resp cache = http.post("/v1beta/cachedContents", "{\"model\":\"models/gemini-2.5-flash\","
                + "\"systemInstruction\":{\"parts\":[{\"text\":\"" + "data".repeat(2_000) + "\"}]},\"ttl\":\"600s\"}");
        assertThat(cache.status()).as(cache.body()).isEqualTo(200);
        String name = cache.json().get("name").asText();
        JsonNode r = http.post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("Q", "\"cachedContent\":\"" + name + "\"")).json();
        assertThat(r.at("/usageMetadata/cachedContentTokenCount").asInt()).isEqualTo(2_000);
        assertThat(r.at("/usageMetadata/promptTokenCount").asInt()).isEqualTo(2_001);
        TestHttp.Resp other = TestHttp.gemini(emu, "other").post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("Q", "\"cachedContent\":\"" + name + "\""));
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.json().at("/error/status").asText()).isEqualTo("PERMISSION_DENIED");
        clock.advance(Duration.ofMinutes(11));
        assertThat(http.post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("Q", "\"cachedContent\":\"" + name + "\"")).status()).as("expired").isEqualTo(403);
    }

    @Test
    void geminiFlexTierIsServedShedAndRefused() {
        TestHttp http = TestHttp.gemini(emu, "g");
        long t0 = System.nanoTime();
        TestHttp.Resp flex = http.post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("hi", "\"serviceTier\":\"flex\""));
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(FLEX.toMillis() - 10);
        assertThat(flex.status()).as(flex.body()).isEqualTo(200);
        assertThat(flex.json().at("/usageMetadata/serviceTier").asText()).isEqualTo("flex");
        assertThat(flex.header("x-gemini-service-tier")).isEqualTo("flex");
        // REST spelling
        assertThat(http.post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("hi", "\"service_tier\":\"FLEX\"")).json().at("/usageMetadata/serviceTier").asText())
                .isEqualTo("flex");
        TestHttp.Resp refused = http.post("/v1beta/models/gemini-2.0-flash:generateContent",
                geminiBody("hi", "\"serviceTier\":\"flex\""));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        emu.faults().shedNextFlex(Provider.GEMINI, 1);
        TestHttp.Resp shed = http.post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("hi", "\"serviceTier\":\"flex\""));
        assertThat(shed.status()).isEqualTo(503);
        assertThat(shed.json().at("/error/status").asText()).isEqualTo("UNAVAILABLE");
        assertThat(shed.json().at("/error/code").asInt()).isEqualTo(503);
        TestHttp.Resp priority = http.post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("hi", "\"serviceTier\":\"priority\""));
        assertThat(priority.json().at("/usageMetadata/serviceTier").asText()).isEqualTo("standard");
        assertThat(emu.counters().syncAnswered(Provider.GEMINI, "flex")).isEqualTo(2);
        assertThat(emu.counters().flexShed(Provider.GEMINI)).isEqualTo(1);
    }

    @Test
    void geminiRefusalsAreGoogleErrors() {
        TestHttp http = TestHttp.gemini(emu, "g");
        TestHttp.Resp unknown = http.post("/v1beta/models/gemini-nope:generateContent", geminiBody("hi", null));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().at("/error/status").asText()).isEqualTo("NOT_FOUND");
        assertThat(unknown.json().at("/error/message").asText()).contains("generateContent").doesNotContain("batch");
        TestHttp.Resp empty = http.post("/v1beta/models/gemini-2.5-flash:generateContent", "{}");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().at("/error/message").asText()).startsWith("* GenerateContentRequest.contents");
        TestHttp.Resp big = http.post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("hi", "\"generationConfig\":{\"maxOutputTokens\":99999999}"));
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.json().at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        TestHttp.Resp tier = http.post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("hi", "\"serviceTier\":\"cheap\""));
        assertThat(tier.status()).isEqualTo(400);
        assertThat(TestHttp.gemini(emu, null).post("/v1beta/models/gemini-2.5-flash:generateContent",
                geminiBody("hi", null)).status()).isEqualTo(403);
    }

    // ---- counters and admin ----------------------------------------------------------------------

    @Test
    void adminApiShedsFlexAndReportsSyncCounters() {
        TestHttp admin = TestHttp.admin(emu);
        assertThat(admin.post("/flex-shed", "{\"provider\":\"openai\",\"count\":1}").status()).isEqualTo(200);
        TestHttp http = TestHttp.openAi(emu, "sk");
        String flex = chatBody("gpt-5", "hi", "\"service_tier\":\"flex\"");
        assertThat(http.post("/chat/completions", flex).status()).isEqualTo(429);
        assertThat(http.post("/chat/completions", flex).status()).isEqualTo(200);
        JsonNode sync = admin.get("/counters").json().get("sync");
        assertThat(sync.get("openai.chat_completions.flex.shed").asLong()).isEqualTo(1);
        assertThat(sync.get("openai.chat_completions.flex.answered").asLong()).isEqualTo(1);
        admin.post("/reset", "{}");
        assertThat(admin.get("/counters").json().get("sync").size()).isZero();
    }

    @Test
    void flexLatencyScalesWithSpeedAndIsCapped() {
        EmulatorConfig fast = EmulatorConfig.defaults().withSpeed(EmulatorConfig.Speed.fast());
        FlexTier tier = new FlexTier(fast, new Faults());
        for (int i = 0; i < 50; i++) {
            assertThat(tier.latency()).isBetween(Duration.ofMillis(50), Duration.ofMillis(600));
        }
        EmulatorConfig capped = EmulatorConfig.defaults().withChoices(EmulatorConfig.Choices.defaults()
                .withFlexLatencyCap(Duration.ofSeconds(2)));
        assertThat(new FlexTier(capped, new Faults()).latency()).isEqualTo(Duration.ofSeconds(2));
        assertThat(new FlexTier(EmulatorConfig.defaults(), new Faults()).offered(Provider.OPENAI, "gpt-4o")).isFalse();
        assertThat(new FlexTier(EmulatorConfig.defaults(), new Faults()).offered(Provider.OPENAI, "o4-mini")).isTrue();
    }
}
