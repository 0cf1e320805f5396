package dev.offpeak.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An emulator started again on the same data folder knows every batch and file of the earlier run. */
class JournalTest {
    private static final EmulatorConfig.Speed SPEED = new EmulatorConfig.Speed(1, Duration.ZERO, Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(5));

    @TempDir
    Path dataDir;
    @TempDir
    Path inputs;
    private final ManualClock clock = ManualClock.startingAt2026();
    private ProviderEmulator emu;

    private ProviderEmulator start() {
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(SPEED).withDataDir(dataDir));
        return emu;
    }

    @AfterEach
    void stop() {
        if (emu != null) {
            emu.close();
        }
    }

    private String upload(TestHttp http, String tag) throws IOException {
        List<String> lines = IntStream.range(0, 4).mapToObj(i -> OpenAiHarness.chatLine(tag + "-" + i, "gpt-4o-mini",
                "Classify " + tag + " " + i, null)).toList();
        Path f = Files.write(inputs.resolve(tag + ".jsonl"), lines);
        TestHttp.Resp r = http.upload("/files", "batch", f);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    private static JsonNode create(TestHttp http, String fileId) {
        TestHttp.Resp r = http.post("/batches", "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"" + OpenAiHarness.CHAT
                + "\",\"completion_window\":\"24h\",\"metadata\":{\"pipeline_batch_id\":\"b-" + fileId + "\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void batchesFilesCancelsDeletesAndResultsSurviveARestart() throws IOException {
        start();
        TestHttp openAi = TestHttp.openAi(emu, "sk-test");
        TestHttp anthropic = TestHttp.anthropic(emu, "sk-ant-test");
        String completed = create(openAi, upload(openAi, "a")).get("id").asText();
        String cancelled = create(openAi, upload(openAi, "b")).get("id").asText();
        String deletedFile = upload(openAi, "c");
        assertThat(openAi.delete("/files/" + deletedFile).status()).isEqualTo(200);
        TestHttp.Resp claude = anthropic.post("/v1/messages/batches", AnthropicConformanceTest.body(
                List.of(AnthropicConformanceTest.request("r-1", "hello", 64, null))));
        assertThat(claude.status()).as(claude.body()).isEqualTo(200);
        String anthropicId = claude.json().get("id").asText();
        clock.advance(Duration.ofSeconds(3));
        assertThat(openAi.post("/batches/" + cancelled + "/cancel", "{}").status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(10));
        JsonNode before = openAi.get("/batches/" + completed).json();
        assertThat(before.get("status").asText()).isEqualTo("completed");
        String output = openAi.get("/files/" + before.get("output_file_id").asText() + "/content").body();
        JsonNode cancelledBefore = openAi.get("/batches/" + cancelled).json();
        JsonNode anthropicBefore = anthropic.get("/v1/messages/batches/" + anthropicId).json();
        String anthropicResults = anthropic.get("/v1/messages/batches/" + anthropicId + "/results").body();
        emu.close();

        start();
        openAi = TestHttp.openAi(emu, "sk-test");
        anthropic = TestHttp.anthropic(emu, "sk-ant-test");
        assertThat(openAi.get("/batches/" + completed).json()).isEqualTo(before);
        assertThat(openAi.get("/batches/" + cancelled).json()).isEqualTo(cancelledBefore);
        assertThat(cancelledBefore.get("status").asText()).isEqualTo("cancelled");
        JsonNode anthropicAfter = anthropic.get("/v1/messages/batches/" + anthropicId).json();
        // the same batch; only the port in results_url is this run's
        assertThat(withoutResultsUrl(anthropicAfter)).isEqualTo(withoutResultsUrl(anthropicBefore));
        assertThat(anthropicAfter.get("results_url").asText()).isEqualTo(emu.baseUrl() + "/anthropic/v1/messages/batches/"
                + anthropicId + "/results");
        assertThat(anthropic.get("/v1/messages/batches/" + anthropicId + "/results").body()).isEqualTo(anthropicResults);
        assertThat(openAi.get("/files/" + deletedFile).status()).isEqualTo(404);
        assertThat(openAi.get("/batches?limit=10").json().get("data")).hasSize(2);
        // new files continue the earlier run's numbering instead of overwriting its content
        String fresh = upload(openAi, "d");
        assertThat(fresh).isNotEqualTo(before.get("output_file_id").asText());
        assertThat(openAi.get("/files/" + before.get("output_file_id").asText() + "/content").body()).isEqualTo(output);
        // a restart is not a creation: the counters belong to this run
        assertThat(TestHttp.admin(emu).get("/counters").json().at("/batches_created/openai").asLong()).isZero();

        assertThat(TestHttp.admin(emu).post("/reset", "{}").status()).isEqualTo(200);
        emu.close();
        start();
        assertThat(TestHttp.openAi(emu, "sk-test").get("/batches/" + completed).status()).isEqualTo(404);
    }

    private static JsonNode withoutResultsUrl(JsonNode batch) {
        ObjectNode copy = batch.deepCopy();
        copy.remove("results_url");
        return copy;
    }

    @Test
    void aLineCutShortByACrashIsSkipped() throws IOException {
        start();
        TestHttp openAi = TestHttp.openAi(emu, "sk-test");
        String id = create(openAi, upload(openAi, "a")).get("id").asText();
        emu.close();
        Files.writeString(dataDir.resolve(Journal.FILE), "{\"event\":\"batch_cre", java.nio.file.StandardOpenOption.APPEND);

        start();
        assertThat(TestHttp.openAi(emu, "sk-test").get("/batches/" + id).status()).isEqualTo(200);
    }

    @Test
    void anEmulatorOnATemporaryFolderKeepsNoJournal() {
        ProviderEmulator temp = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(SPEED));
        temp.close();
        assertThat(dataDir.resolve(Journal.FILE)).doesNotExist();
    }
}
