package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A 50,000-line, ~200 MB OpenAI batch through an emulator running in a child JVM with
 * {@code -Xmx512m -XX:+ExitOnOutOfMemoryError}: upload, validate, complete, stream the output back.
 * If any step held the file in memory the child would die and the test fail; the heap figure it
 * reports comes from the child's own memory pools.
 */
class HeapIT {
    private static final int LINES = 50_000;
    /** The child's heap; 512m is the requirement, a smaller value shows the headroom. */
    private static final String XMX = System.getProperty("heapit.xmx", "512m");
    @TempDir
    Path tmp;
    private Process child;

    @AfterEach
    void stop() {
        if (child != null) {
            child.destroy();
        }
    }

    @Test
    void twoHundredMegabyteBatchRunsInA512MegabyteHeap() throws Exception {
        Path input = writeInput(tmp.resolve("big.jsonl"));
        long inputBytes = Files.size(input);
        assertThat(inputBytes).isBetween(190L * 1024 * 1024, 200L * 1024 * 1024);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        child = new ProcessBuilder(java, "-Xmx" + XMX, "-XX:+ExitOnOutOfMemoryError", "-cp", cp,
                "dev.offpeak.emulator.EmulatorMain", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--manual-clock", "--lines-per-second", "100000", "--turnaround", "PT0S")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> client.send(HttpRequest.newBuilder(URI.create(base + "/_emulator/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        ProviderEmulatorHandle emu = new ProviderEmulatorHandle(base);
        TestHttp http = new TestHttp(base + "/openai/v1", Map.of("Authorization", "Bearer sk-heap"));

        TestHttp.Resp uploaded = http.upload("/files", "batch", input);
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(200);
        assertThat(uploaded.json().get("bytes").asLong()).isEqualTo(inputBytes);
        TestHttp.Resp created = http.post("/batches", "{\"input_file_id\":\"" + uploaded.json().get("id").asText()
                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().get("id").asText();
        emu.advance(Duration.ofMinutes(5));
        JsonNode batch = http.get("/batches/" + id).json();
        assertThat(batch.get("status").asText()).as(batch.toString()).isEqualTo("completed");
        assertThat(batch.at("/request_counts/completed").asInt()).isEqualTo(LINES);

        Path output = tmp.resolve("output.jsonl");
        HttpResponse<Path> download = client.send(HttpRequest.newBuilder(URI.create(base + "/openai/v1/files/"
                        + batch.get("output_file_id").asText() + "/content")).header("Authorization", "Bearer sk-heap").build(),
                HttpResponse.BodyHandlers.ofFile(output));
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(countLines(output)).isEqualTo(LINES);

        JsonNode memory = emu.memory();
        long peakMb = memory.get("heap_peak_upper_bound").asLong() / (1024 * 1024);
        System.out.printf("HeapIT: input %d MB, %d lines, output %d MB; child heap max %d MB, "
                        + "peak (upper bound, sum of pool peaks) %d MB, used now %d MB%n",
                inputBytes / (1024 * 1024), LINES, Files.size(output) / (1024 * 1024),
                memory.get("heap_max").asLong() / (1024 * 1024), peakMb, memory.get("heap_used").asLong() / (1024 * 1024));
        assertThat(child.isAlive()).as("the child JVM survived (no OutOfMemoryError)").isTrue();
        assertThat(peakMb).isLessThan(512);
    }

    /** ~4 KB chat lines with varied words, so the tokenizer does real work. */
    private static Path writeInput(Path file) throws IOException {
        String[] words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
            "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"};
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < LINES; i++) {
                StringBuilder text = new StringBuilder(4000);
                int j = 0;
                while (text.length() < 3880) {
                    text.append(words[(i * 7 + j * 13) % words.length]).append(j % 17 == 0 ? ". " : " ");
                    j++;
                }
                w.write("{\"custom_id\":\"heap-" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                        + "\"body\":{\"model\":\"gpt-4o-mini\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"" + text + "\"}]}}\n");
            }
        }
        return file;
    }

    private static long countLines(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return r.lines().filter(l -> !l.isBlank()).count();
        }
    }

    /** The admin API of the child emulator. */
    private record ProviderEmulatorHandle(String base) {
        void advance(Duration by) {
            new TestHttp(base + "/_emulator", Map.of()).post("/clock/advance", "{\"millis\":" + by.toMillis() + "}");
        }

        JsonNode memory() {
            return new TestHttp(base + "/_emulator", Map.of()).get("/memory").json();
        }
    }
}
