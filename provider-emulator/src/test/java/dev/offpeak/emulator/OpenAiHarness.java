package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared set-up of the OpenAI conformance tests: an in-process emulator on a manual clock, and helpers. */
public abstract class OpenAiHarness {
    static final List<String> BATCH_FIELDS = List.of("id", "object", "endpoint", "errors", "input_file_id",
            "completion_window", "status", "output_file_id", "error_file_id", "created_at", "in_progress_at",
            "expires_at", "finalizing_at", "completed_at", "failed_at", "expired_at", "cancelling_at", "cancelled_at",
            "request_counts", "metadata");
    static final String CHAT = "/v1/chat/completions";

    @TempDir
    Path tmp;
    final ManualClock clock = ManualClock.startingAt2026();
    ProviderEmulator emu;
    TestHttp http;

    @BeforeEach
    void start() {
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(
                new EmulatorConfig.Speed(1, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(5))));
        http = TestHttp.openAi(emu, "sk-test");
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    public static String chatLine(String id, String model, String text, Integer maxTokens) {
        return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"" + CHAT + "\",\"body\":{\"model\":\""
                + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]"
                + (maxTokens == null ? "" : ",\"max_tokens\":" + maxTokens) + "}}";
    }

    String upload(List<String> lines) throws IOException {
        Path f = Files.write(tmp.resolve("in-" + System.nanoTime() + ".jsonl"), lines);
        TestHttp.Resp r = http.upload("/files", "batch", f);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    JsonNode create(String fileId, String metadata) {
        TestHttp.Resp r = http.post("/batches", "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"" + CHAT
                + "\",\"completion_window\":\"24h\"" + (metadata == null ? "" : ",\"metadata\":" + metadata) + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    JsonNode get(String id) {
        TestHttp.Resp r = http.get("/batches/" + id);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    List<String> fourLines() {
        return IntStream.range(0, 4).mapToObj(i -> chatLine("job-" + i, "gpt-4o-mini", "Classify " + i, null)).toList();
    }

    static Map<String, JsonNode> byCustomId(List<JsonNode> lines) {
        Map<String, JsonNode> m = new java.util.HashMap<>();
        lines.forEach(l -> m.put(l.get("custom_id").asText(), l));
        return m;
    }
}
