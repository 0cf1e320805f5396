package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prompts near the top of a large context window (with the shipped registry) are answered, and the
 * usage reports every prompt token, cached ones included: what puts a request in a provider's
 * long-context price tier.
 */
class LongPromptUsageTest {
    @TempDir
    Path tmp;
    private final ManualClock clock = ManualClock.startingAt2026();
    private ProviderEmulator emu;

    @BeforeEach
    void start() {
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(
                new EmulatorConfig.Speed(100, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(5))));
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    /** {@code n} estimated tokens (four characters each) of JSON-safe text. */
    private static String chars4(int n) {
        return "data".repeat(n);
    }

    @Test
    void geminiPromptOf240kTokensToGemini25ProReportsEveryPromptToken() {
        TestHttp http = TestHttp.gemini(emu, "AIza-test");
        TestHttp.Resp created = http.post("/v1beta/models/gemini-2.5-pro:batchGenerateContent",
                "{\"batch\":{\"inputConfig\":{\"requests\":{\"requests\":["
                        + GeminiConformanceTest.inlineItem("long", chars4(240_000), 100) + "]}}}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        JsonNode done = http.get("/v1beta/" + created.json().get("name").asText()).json();

        JsonNode usage = done.at("/response/inlinedResponses/inlinedResponses/0/response/usageMetadata");
        assertThat(usage.get("promptTokenCount").asInt()).isEqualTo(240_000);
        assertThat(usage.get("totalTokenCount").asInt()).isEqualTo(240_000 + usage.get("candidatesTokenCount").asInt());
        assertThat(usage.at("/promptTokensDetails/0/tokenCount").asInt()).isEqualTo(240_000);
    }

    @Test
    void anthropicPromptOf199kTokensToSonnet45ReportsCacheWriteReadAndInput() {
        TestHttp http = TestHttp.anthropic(emu, "sk-ant-test");
        String system = "[{\"type\":\"text\",\"text\":\"" + chars4(150_000) + "\",\"cache_control\":{\"type\":\"ephemeral\"}}]";
        List<String> requests = List.of("first", "second").stream().map(id -> "{\"custom_id\":\"" + id
                + "\",\"params\":{\"model\":\"claude-sonnet-4-5-20250929\",\"max_tokens\":1000,\"system\":" + system
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + id.charAt(0) + chars4(49_000).substring(1)
                + "\"}]}}").toList();
        TestHttp.Resp created = http.post("/v1/messages/batches", AnthropicConformanceTest.body(requests));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        Map<String, JsonNode> usage = new java.util.HashMap<>();
        http.get("/v1/messages/batches/" + id + "/results").jsonl().forEach(l ->
                usage.put(l.get("custom_id").asText(), l.at("/result/message/usage")));

        assertThat(usage.get("first").get("cache_creation_input_tokens").asInt()).isEqualTo(150_000);
        assertThat(usage.get("first").get("cache_read_input_tokens").asInt()).isZero();
        assertThat(usage.get("first").get("input_tokens").asInt()).isEqualTo(49_000);
        assertThat(usage.get("second").get("cache_read_input_tokens").asInt()).isEqualTo(150_000);
        assertThat(usage.get("second").get("cache_creation_input_tokens").asInt()).isZero();
        assertThat(usage.get("second").get("input_tokens").asInt()).isEqualTo(49_000);
    }

    @Test
    void openAiPromptsSharingA39kTokenPrefixReportFullPromptAndCachedTokens() throws IOException {
        TestHttp http = TestHttp.openAi(emu, "sk-test");
        Encoding o200k = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
        String shared = "The quarterly report lists revenue, costs and margins for every region. ".repeat(3_000);
        int sharedTokens = o200k.countTokensOrdinary(shared);
        // longer than the 32K tokens the cache used to keep of a prompt
        assertThat(sharedTokens).isBetween(35_000, 50_000);
        String first = shared + "Summarise the first region.";
        String second = shared + "Summarise the second region.";
        Path f = Files.write(tmp.resolve("long.jsonl"), List.of(OpenAiHarness.chatLine("first", "gpt-4o-mini", first, 100),
                OpenAiHarness.chatLine("second", "gpt-4o-mini", second, 100)));
        String fileId = http.upload("/files", "batch", f).json().get("id").asText();
        String batchId = http.post("/batches", "{\"input_file_id\":\"" + fileId
                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}").json().get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        JsonNode b = http.get("/batches/" + batchId).json();
        assertThat(b.get("status").asText()).isEqualTo("completed");
        Map<String, JsonNode> out = OpenAiHarness.byCustomId(
                http.get("/files/" + b.get("output_file_id").asText() + "/content").jsonl());

        // cookbook count: 3 per message + the role + the content + 3 to prime the reply
        int firstPrompt = 3 + o200k.countTokensOrdinary("user") + o200k.countTokensOrdinary(first) + 3;
        JsonNode u1 = out.get("first").at("/response/body/usage");
        JsonNode u2 = out.get("second").at("/response/body/usage");
        assertThat(u1.get("prompt_tokens").asInt()).isEqualTo(firstPrompt);
        assertThat(u1.at("/prompt_tokens_details/cached_tokens").asInt()).isZero();
        assertThat(u2.get("prompt_tokens").asInt())
                .isEqualTo(3 + o200k.countTokensOrdinary("user") + o200k.countTokensOrdinary(second) + 3);
        int cached = u2.at("/prompt_tokens_details/cached_tokens").asInt();
        assertThat(cached % 128).isZero();
        assertThat(cached).isBetween(sharedTokens - 256, sharedTokens + 1);
        assertThat(b.at("/usage/input_tokens").asInt())
                .isEqualTo(u1.get("prompt_tokens").asInt() + u2.get("prompt_tokens").asInt());
        assertThat(b.at("/usage/input_tokens_details/cached_tokens").asInt()).isEqualTo(cached);
    }
}
