package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.emulator.gemini.GeminiAnswers;
import dev.offpeak.schemas.pricing.ModelRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests a model cannot take, refused per request the way each provider refuses them: an unknown
 * model, max tokens above the model's output limit, a prompt over its context window. The emulator
 * runs on a tiny registry (200-token windows, 50-token outputs) so the prompts stay short.
 */
class ModelLimitsTest {
    private static final String TINY_REGISTRY = """
            {"registry": "tiny", "version": "test", "models": [
              {"provider": "openai", "model": "tiny-gpt", "context_window": 200, "max_output_tokens": 50,
               "endpoints": ["/v1/chat/completions"], "batch_multiplier": "0.5", "batch_cached_input": "as_input", "source": "test",
               "prices": [{"effective_from": "2025-01-01", "input": "1", "output": "2", "source": "test"}]},
              {"provider": "anthropic", "model": "claude-tiny", "match": {"starts_with": "claude-tiny"},
               "context_window": 200, "max_output_tokens": 50, "endpoints": ["/v1/messages"],
               "batch_multiplier": "0.5", "batch_cached_input": "as_input", "source": "test",
               "prices": [{"effective_from": "2025-01-01", "input": "1", "output": "2", "source": "test"}]},
              {"provider": "gemini", "model": "gemini-tiny", "context_window": 200, "max_output_tokens": 50,
               "endpoints": ["generateContent"], "batch_multiplier": "0.5", "batch_cached_input": "as_input", "source": "test",
               "prices": [{"effective_from": "2025-01-01", "input": "1", "output": "2", "source": "test"}]}
            ]}""";

    @TempDir
    Path tmp;
    private final ManualClock clock = ManualClock.startingAt2026();
    private ProviderEmulator emu;

    @BeforeEach
    void start() throws IOException {
        ModelRegistry tiny = ModelRegistry.load(List.of(Json.parse(TINY_REGISTRY)), List.of("tiny"));
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withModels(ModelCatalog.of(tiny))
                .withSpeed(new EmulatorConfig.Speed(100, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(5))));
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    /** About {@code n} tokens of plain words, in every provider's count (four characters per word). */
    private static String words(int n) {
        return "abc ".repeat(n);
    }

    // ---- OpenAI ----------------------------------------------------------------------------------

    private JsonNode openAiBatch(TestHttp http, List<String> lines) throws IOException {
        Path f = Files.write(tmp.resolve("in-" + System.nanoTime() + ".jsonl"), lines);
        String fileId = http.upload("/files", "batch", f).json().get("id").asText();
        TestHttp.Resp created = http.post("/batches", "{\"input_file_id\":\"" + fileId
                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        JsonNode b = http.get("/batches/" + created.json().get("id").asText()).json();
        assertThat(b.get("status").asText()).as(b.toString()).isEqualTo("completed");
        return b;
    }

    private static Map<String, JsonNode> lines(TestHttp http, JsonNode fileId) {
        return OpenAiHarness.byCustomId(http.get("/files/" + fileId.asText() + "/content").jsonl());
    }

    @Test
    void openAiUnknownModelIsA404LineWithModelNotFound() throws IOException {
        TestHttp http = TestHttp.openAi(emu, "sk-test");
        JsonNode b = openAiBatch(http, List.of(OpenAiHarness.chatLine("a", "gpt-nope", "hi", null),
                OpenAiHarness.chatLine("b", "gpt-nope", "there", 10)));

        assertThat(b.get("output_file_id").isNull()).isTrue();
        assertThat(b.at("/request_counts/failed").asInt()).isEqualTo(2);
        JsonNode line = lines(http, b.get("error_file_id")).get("a");
        assertThat(line.get("error").isNull()).isTrue();
        assertThat(line.at("/response/status_code").asInt()).isEqualTo(404);
        assertThat(line.at("/response/request_id").asText()).startsWith("req_");
        assertThat(line.at("/response/body")).isEqualTo(Json.parse("{\"error\":{\"message\":\"The model `gpt-nope` "
                + "does not exist or you do not have access to it.\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":\"model_not_found\"}}"));
    }

    @Test
    void openAiMaxTokensAboveTheModelsOutputLimitIsA400Line() throws IOException {
        TestHttp http = TestHttp.openAi(emu, "sk-test");
        JsonNode b = openAiBatch(http, List.of(OpenAiHarness.chatLine("ok", "tiny-gpt", "hi", 50),
                OpenAiHarness.chatLine("big", "tiny-gpt", "hi", 51)));

        assertThat(b.at("/request_counts/completed").asInt()).isEqualTo(1);
        assertThat(lines(http, b.get("output_file_id"))).containsOnlyKeys("ok");
        JsonNode line = lines(http, b.get("error_file_id")).get("big");
        assertThat(line.at("/response/status_code").asInt()).isEqualTo(400);
        assertThat(line.at("/response/body")).isEqualTo(Json.parse("{\"error\":{\"message\":\"max_tokens is too large: "
                + "51. This model supports at most 50 completion tokens, whereas you provided 51.\","
                + "\"type\":\"invalid_request_error\",\"param\":\"max_tokens\",\"code\":\"invalid_value\"}}"));
    }

    @Test
    void openAiPromptOverTheContextWindowIsA400LineAndUnbilled() throws IOException {
        TestHttp http = TestHttp.openAi(emu, "sk-test");
        JsonNode b = openAiBatch(http, List.of(OpenAiHarness.chatLine("ok", "tiny-gpt", words(150), null),
                OpenAiHarness.chatLine("long", "tiny-gpt", words(300), null)));

        JsonNode ok = lines(http, b.get("output_file_id")).get("ok").at("/response/body/usage");
        JsonNode line = lines(http, b.get("error_file_id")).get("long");
        assertThat(line.at("/response/status_code").asInt()).isEqualTo(400);
        JsonNode error = line.at("/response/body/error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asText()).isEqualTo("messages");
        assertThat(error.get("code").asText()).isEqualTo("context_length_exceeded");
        Matcher m = Pattern.compile("This model's maximum context length is 200 tokens\\. However, your messages "
                + "resulted in (\\d+) tokens\\. Please reduce the length of the messages\\.")
                .matcher(error.get("message").asText());
        assertThat(m.matches()).as(error.get("message").asText()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isGreaterThan(200);
        // only the answered line is billed
        assertThat(b.at("/usage/input_tokens").asInt()).isEqualTo(ok.get("prompt_tokens").asInt());
        assertThat(b.at("/usage/output_tokens").asInt()).isEqualTo(ok.get("completion_tokens").asInt());
    }

    // ---- Anthropic -------------------------------------------------------------------------------

    private static String anthropicRequest(String id, String model, int maxTokens, String text) {
        return "{\"custom_id\":\"" + id + "\",\"params\":{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}}";
    }

    private Map<String, JsonNode> anthropicResults(List<String> requests) {
        TestHttp http = TestHttp.anthropic(emu, "sk-ant-test");
        TestHttp.Resp created = http.post("/v1/messages/batches", AnthropicConformanceTest.body(requests));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        JsonNode b = http.get("/v1/messages/batches/" + id).json();
        assertThat(b.get("processing_status").asText()).isEqualTo("ended");
        Map<String, JsonNode> byId = new java.util.HashMap<>();
        http.get("/v1/messages/batches/" + id + "/results").jsonl()
                .forEach(l -> byId.put(l.get("custom_id").asText(), l.get("result")));
        return byId;
    }

    private static JsonNode errored(String type, String message) throws IOException {
        return Json.parse("{\"type\":\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":\"" + type
                + "\",\"message\":" + Json.write(Json.MAPPER.getNodeFactory().textNode(message))
                + "},\"request_id\":null}}");
    }

    @Test
    void anthropicUnknownModelIsAnErroredNotFoundResult() throws IOException {
        Map<String, JsonNode> r = anthropicResults(List.of(anthropicRequest("known", "claude-tiny-20250101", 10, "hi"),
                anthropicRequest("unknown", "claude-nope", 10, "hi")));

        assertThat(r.get("known").get("type").asText()).isEqualTo("succeeded");
        assertThat(r.get("unknown")).isEqualTo(errored("not_found_error", "model: claude-nope"));
    }

    @Test
    void anthropicMaxTokensAboveTheModelsOutputLimitIsAnErroredResult() throws IOException {
        Map<String, JsonNode> r = anthropicResults(List.of(anthropicRequest("big", "claude-tiny", 51, "hi")));

        assertThat(r.get("big")).isEqualTo(errored("invalid_request_error",
                "max_tokens: 51 > 50, which is the maximum allowed number of output tokens for claude-tiny"));
    }

    @Test
    void anthropicPromptOverTheContextWindowIsAnErroredResult() throws IOException {
        Map<String, JsonNode> r = anthropicResults(List.of(
                anthropicRequest("fits", "claude-tiny", 10, words(190)),
                anthropicRequest("long", "claude-tiny", 10, words(201)),
                anthropicRequest("sum", "claude-tiny", 20, words(190))));

        assertThat(r.get("fits").at("/message/usage/input_tokens").asInt()).isEqualTo(190);
        assertThat(r.get("long")).isEqualTo(errored("invalid_request_error", "prompt is too long: 201 tokens > 200 maximum"));
        assertThat(r.get("sum")).isEqualTo(errored("invalid_request_error", "input length and `max_tokens` exceed "
                + "context limit: 190 + 20 > 200, decrease input length or `max_tokens` and try again"));
    }

    // ---- Gemini ----------------------------------------------------------------------------------

    @Test
    void geminiUnknownModelIsA404AtCreate() {
        TestHttp http = TestHttp.gemini(emu, "AIza-test");
        String body = "{\"batch\":{\"inputConfig\":{\"requests\":{\"requests\":["
                + GeminiConformanceTest.inlineItem("k", "hi", null) + "]}}}}";
        for (String version : List.of("v1beta", "v1")) {
            TestHttp.Resp r = http.post("/" + version + "/models/gemini-nope:batchGenerateContent", body);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json()).isEqualTo(Json.object().set("error", Json.object().put("code", 404)
                    .put("message", "models/gemini-nope is not found for API version " + version + ", or is not "
                            + "supported for batchGenerateContent. Call ListModels to see the list of available "
                            + "models and their supported methods.")
                    .put("status", "NOT_FOUND")));
        }
        assertThat(emu.counters().batchesCreated(Provider.GEMINI)).isZero();
    }

    @Test
    void geminiRequestsOverTheModelsLimitsAreInvalidArgumentLines() {
        TestHttp http = TestHttp.gemini(emu, "AIza-test");
        TestHttp.Resp created = http.post("/v1beta/models/gemini-tiny:batchGenerateContent",
                "{\"batch\":{\"inputConfig\":{\"requests\":{\"requests\":["
                        + String.join(",", GeminiConformanceTest.inlineItem("ok", words(200), 50),
                        GeminiConformanceTest.inlineItem("big", "hi", 51),
                        GeminiConformanceTest.inlineItem("long", words(201), null)) + "]}}}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        JsonNode done = http.get("/v1beta/" + created.json().get("name").asText()).json();

        assertThat(done.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_SUCCEEDED");
        assertThat(done.at("/metadata/batchStats/successfulRequestCount").asText()).isEqualTo("1");
        assertThat(done.at("/metadata/batchStats/failedRequestCount").asText()).isEqualTo("2");
        JsonNode items = done.at("/response/inlinedResponses/inlinedResponses");
        assertThat(items.get(0).at("/response/usageMetadata/promptTokenCount").asInt()).isEqualTo(200);
        assertThat(items.get(1).get("error")).isEqualTo(GeminiAnswers.status(400, "Unable to submit request because "
                + "it has a maxOutputTokens value of 51 but the supported range is from 1 (inclusive) to 51 "
                + "(exclusive). Update the value and try again.", "INVALID_ARGUMENT"));
        assertThat(items.get(1).has("response")).isFalse();
        assertThat(items.get(2).get("error")).isEqualTo(GeminiAnswers.status(400, "The input token count (201) "
                + "exceeds the maximum number of tokens allowed (200).", "INVALID_ARGUMENT"));
    }
}
