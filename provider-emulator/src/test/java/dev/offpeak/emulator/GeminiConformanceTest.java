package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.emulator.gemini.GeminiJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives the Gemini batch and files endpoints over real HTTP against gemini-batch.md. */
class GeminiConformanceTest {
    private static final String RFC3339_NANOS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z";
    private final ManualClock clock = ManualClock.startingAt2026();
    private ProviderEmulator emu;
    private TestHttp http;

    @BeforeEach
    void start() {
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(
                new EmulatorConfig.Speed(1, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(5))));
        http = TestHttp.gemini(emu, "AIza-test");
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    static String inlineItem(String key, String text, Integer maxOutput) {
        return "{\"request\":{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + text + "\"}]}]"
                + (maxOutput == null ? "" : ",\"generationConfig\":{\"maxOutputTokens\":" + maxOutput + "}")
                + "},\"metadata\":{\"key\":\"" + key + "\"}}";
    }

    private JsonNode createInline(String version, List<String> items) {
        TestHttp.Resp r = http.post("/" + version + "/models/gemini-2.5-flash:batchGenerateContent",
                "{\"batch\":{\"displayName\":\"job42\",\"inputConfig\":{\"requests\":{\"requests\":["
                        + String.join(",", items) + "]}}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private List<String> three() {
        return IntStream.range(0, 3).mapToObj(i -> inlineItem("k" + i, "question " + i, null)).toList();
    }

    private JsonNode get(String version, String name) {
        return http.get("/" + version + "/" + name).json();
    }

    @Test
    void inlineJobGoesPendingRunningSucceededUnderV1betaAndV1() {
        for (String version : List.of("v1beta", "v1")) {
            JsonNode op = createInline(version, three());
            String name = op.get("name").asText();
            assertThat(name).matches("batches/[a-z0-9]{36}");
            assertThat(op.has("done")).isFalse();
            JsonNode meta = op.get("metadata");
            assertThat(meta.get("@type").asText()).isEqualTo(GeminiJson.BATCH_TYPE);
            assertThat(meta.get("state").asText()).isEqualTo("BATCH_STATE_PENDING");
            assertThat(meta.get("model").asText()).isEqualTo("models/gemini-2.5-flash");
            assertThat(meta.get("displayName").asText()).isEqualTo("job42");
            assertThat(meta.get("createTime").asText()).matches(RFC3339_NANOS);
            assertThat(meta.get("batchStats")).isEqualTo(Json.object().put("requestCount", "3")
                    .put("pendingRequestCount", "3"));

            clock.advance(Duration.ofSeconds(3));
            JsonNode running = get(version, name);
            assertThat(running.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_RUNNING");
            assertThat(running.at("/metadata/batchStats/successfulRequestCount").asText()).isEqualTo("1");

            clock.advance(Duration.ofSeconds(10));
            JsonNode done = get(version, name);
            assertThat(done.get("done").asBoolean()).isTrue();
            assertThat(done.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_SUCCEEDED");
            assertThat(done.at("/metadata/endTime").asText()).matches(RFC3339_NANOS);
            assertThat(done.at("/metadata/batchStats").has("pendingRequestCount")).isFalse();
            assertThat(done.at("/metadata/batchStats").has("failedRequestCount")).isFalse();
            assertThat(done.at("/response/@type").asText()).isEqualTo(GeminiJson.OUTPUT_TYPE);
            JsonNode items = done.at("/response/inlinedResponses/inlinedResponses");
            assertThat(items).hasSize(3);
            assertThat(done.at("/metadata/output/inlinedResponses/inlinedResponses")).isEqualTo(items);
            assertThat(items.get(0).at("/metadata/key").asText()).isEqualTo("k0");
            JsonNode resp = items.get(0).get("response");
            assertThat(resp.at("/candidates/0/content/role").asText()).isEqualTo("model");
            assertThat(resp.at("/candidates/0/finishReason").asText()).isEqualTo("STOP");
            JsonNode usage = resp.get("usageMetadata");
            assertThat(usage.get("promptTokenCount").asInt()).isEqualTo(("question 0".length() + 3) / 4);
            assertThat(usage.get("totalTokenCount").asInt())
                    .isEqualTo(usage.get("promptTokenCount").asInt() + usage.get("candidatesTokenCount").asInt());
            assertThat(usage.has("cachedContentTokenCount")).isFalse();
        }
    }

    @Test
    void fileJobUploadsResumablyAndReturnsAResponsesFile() {
        String jsonl = "{\"key\":\"a\",\"request\":{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],"
                + "\"generation_config\":{\"max_output_tokens\":2}}}\n"
                + "{\"key\":\"b\",\"request\":{}}\n";
        TestHttp.Resp start = http.post("/upload/v1beta/files", "application/json",
                HttpRequest.BodyPublishers.ofString("{\"file\":{\"display_name\":\"job42-input\"}}"),
                Map.of("X-Goog-Upload-Protocol", "resumable", "X-Goog-Upload-Command", "start",
                        "X-Goog-Upload-Header-Content-Length", String.valueOf(jsonl.length()),
                        "X-Goog-Upload-Header-Content-Type", "application/jsonl"));
        assertThat(start.status()).isEqualTo(200);
        String uploadUrl = start.header("x-goog-upload-url");
        assertThat(uploadUrl).startsWith(emu.geminiBaseUrl() + "/upload/v1beta/files?upload_id=");
        TestHttp.Resp fin = http.post(uploadUrl.substring(emu.geminiBaseUrl().length()), "application/jsonl",
                HttpRequest.BodyPublishers.ofString(jsonl),
                Map.of("X-Goog-Upload-Command", "upload, finalize", "X-Goog-Upload-Offset", "0"));
        assertThat(fin.header("x-goog-upload-status")).isEqualTo("final");
        JsonNode file = fin.json().get("file");
        assertThat(file.get("name").asText()).matches("files/[a-z0-9]{12}");
        assertThat(file.get("sizeBytes").asText()).isEqualTo(String.valueOf(jsonl.length()));
        assertThat(file.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(file.get("displayName").asText()).isEqualTo("job42-input");
        assertThat(http.get("/v1beta/" + file.get("name").asText()).json().get("sha256Hash").asText())
                .isEqualTo(file.get("sha256Hash").asText());
        assertThat(http.get("/v1beta/files").json().get("files")).hasSize(1);

        TestHttp.Resp created = http.post("/v1beta/models/gemini-2.5-flash:batchGenerateContent",
                "{\"batch\":{\"display_name\":\"from-file\",\"input_config\":{\"file_name\":\""
                        + file.get("name").asText() + "\"}}}");
        String name = created.json().get("name").asText();
        assertThat(created.json().at("/metadata/inputConfig/fileName").asText()).isEqualTo(file.get("name").asText());
        clock.advance(Duration.ofMinutes(1));
        JsonNode done = get("v1beta", name);
        assertThat(done.at("/metadata/batchStats/successfulRequestCount").asText()).isEqualTo("1");
        assertThat(done.at("/metadata/batchStats/failedRequestCount").asText()).isEqualTo("1");
        String responses = done.at("/response/responsesFile").asText();
        assertThat(responses).startsWith("files/batch-");
        for (String path : List.of("/download/v1beta/" + responses + ":download?alt=media",
                "/v1/" + responses + ":download?alt=media")) {
            List<JsonNode> lines = http.get(path).jsonl();
            assertThat(lines).hasSize(2);
            JsonNode a = lines.stream().filter(l -> l.get("key").asText().equals("a")).findFirst().orElseThrow();
            assertThat(a.at("/response/usageMetadata/candidatesTokenCount").asInt()).isEqualTo(2);
            assertThat(a.at("/response/candidates/0/finishReason").asText()).isEqualTo("MAX_TOKENS");
            JsonNode b = lines.stream().filter(l -> l.get("key").asText().equals("b")).findFirst().orElseThrow();
            assertThat(b.at("/error/code").asInt()).isEqualTo(400);
        }
        assertThat(http.delete("/v1beta/" + file.get("name").asText()).json()).isEmpty();
        assertThat(http.get("/v1beta/" + file.get("name").asText()).status()).isEqualTo(404);
    }

    @Test
    void fileWithNoParsableLineFailsTheJob() {
        TestHttp.Resp start = http.post("/upload/v1beta/files", "application/json",
                HttpRequest.BodyPublishers.ofString("{\"file\":{\"displayName\":\"junk\"}}"),
                Map.of("X-Goog-Upload-Protocol", "resumable", "X-Goog-Upload-Command", "start"));
        String url = start.header("x-goog-upload-url").substring(emu.geminiBaseUrl().length());
        http.post(url, "application/jsonl", HttpRequest.BodyPublishers.ofString("not json\n"),
                Map.of("X-Goog-Upload-Command", "upload"));
        String file = http.post(url, "application/jsonl", HttpRequest.BodyPublishers.ofString("{{{\n"),
                Map.of("X-Goog-Upload-Command", "finalize")).json().at("/file/name").asText();
        assertThat(http.get("/v1beta/" + file).json().get("sizeBytes").asText()).isEqualTo("13");
        String name = http.post("/v1beta/models/gemini-2.5-flash:batchGenerateContent",
                "{\"batch\":{\"displayName\":\"junk\",\"inputConfig\":{\"fileName\":\"" + file + "\"}}}")
                .json().get("name").asText();
        clock.advance(Duration.ofSeconds(3));
        JsonNode op = get("v1beta", name);
        assertThat(op.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_FAILED");
        assertThat(op.get("done").asBoolean()).isTrue();
        assertThat(op.at("/error/code").asInt()).isEqualTo(3);
        assertThat(op.has("response")).isFalse();
    }

    @Test
    void jobExpiresAfter48HoursWithoutResults() {
        emu.faults().expireNextBatchAfterLines(Provider.GEMINI, 1);
        String name = createInline("v1beta", three()).get("name").asText();
        clock.advance(Duration.ofHours(1));
        JsonNode op = get("v1beta", name);
        assertThat(op.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_EXPIRED");
        assertThat(op.get("done").asBoolean()).isTrue();
        assertThat(op.has("response")).isFalse();
        assertThat(op.at("/metadata").has("output")).isFalse();

        emu.close();
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(new EmulatorConfig.Speed(
                0.00001, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5))));
        http = TestHttp.gemini(emu, "k");
        String slow = createInline("v1beta", three()).get("name").asText();
        clock.advance(Duration.ofHours(47));
        assertThat(get("v1beta", slow).at("/metadata/state").asText()).isEqualTo("BATCH_STATE_RUNNING");
        clock.advance(Duration.ofHours(1));
        assertThat(get("v1beta", slow).at("/metadata/state").asText()).isEqualTo("BATCH_STATE_EXPIRED");
    }

    @Test
    void cancelAndDelete() {
        String name = createInline("v1beta", three()).get("name").asText();
        clock.advance(Duration.ofSeconds(3));
        TestHttp.Resp c = http.post("/v1beta/" + name + ":cancel", "");
        assertThat(c.status()).isEqualTo(200);
        assertThat(c.json()).isEmpty();
        clock.advance(Duration.ofSeconds(5));
        JsonNode op = get("v1beta", name);
        assertThat(op.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_CANCELLED");
        assertThat(op.get("done").asBoolean()).isTrue();
        assertThat(http.post("/v1beta/" + name + ":cancel", "").json().at("/error/status").asText())
                .isEqualTo("FAILED_PRECONDITION");
        assertThat(http.delete("/v1beta/" + name).json()).isEmpty();
        TestHttp.Resp gone = http.get("/v1beta/" + name);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().at("/error/status").asText()).isEqualTo("NOT_FOUND");
        assertThat(http.get("/v1beta/batches").json().has("operations")).isFalse();
    }

    @Test
    void listPagesWithPageToken() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            names.add(createInline("v1beta", three()).get("name").asText());
        }
        JsonNode p1 = http.get("/v1beta/batches?pageSize=2").json();
        assertThat(p1.get("operations")).hasSize(2);
        assertThat(p1.at("/operations/0/name").asText()).isEqualTo(names.get(2));
        JsonNode p2 = http.get("/v1/batches?pageSize=2&pageToken=" + p1.get("nextPageToken").asText()).json();
        assertThat(p2.get("operations")).hasSize(1);
        assertThat(p2.has("nextPageToken")).isFalse();
    }

    @Test
    void allLinesFailFaultAndQuotaAndErrors() {
        emu.faults().failAllLinesOfNextBatch(Provider.GEMINI);
        String name = createInline("v1beta", three()).get("name").asText();
        clock.advance(Duration.ofMinutes(1));
        JsonNode op = get("v1beta", name);
        assertThat(op.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_SUCCEEDED");
        assertThat(op.at("/metadata/batchStats/failedRequestCount").asText()).isEqualTo("3");
        assertThat(op.at("/response/inlinedResponses/inlinedResponses/0/error/code").asInt()).isEqualTo(500);

        emu.faults().setEnqueuedTokenQuota(Provider.GEMINI, "gemini-2.5-flash", 5);
        createInline("v1beta", List.of(inlineItem("q", "1234567890123456", null)));
        TestHttp.Resp over = http.post("/v1beta/models/gemini-2.5-flash:batchGenerateContent",
                "{\"batch\":{\"displayName\":\"x\",\"inputConfig\":{\"requests\":{\"requests\":["
                        + inlineItem("q", "1234567890123456", null) + "]}}}}");
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.json().at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");

        emu.faults().failNext(Provider.GEMINI, "get", 1, 429, Duration.ofSeconds(37));
        TestHttp.Resp limited = http.get("/v1beta/" + name);
        assertThat(limited.status()).isEqualTo(429);
        JsonNode details = limited.json().at("/error/details");
        assertThat(details.findValuesAsText("retryDelay")).containsExactly("37s");
        emu.faults().failNext(Provider.GEMINI, "get", 1, 503, null);
        assertThat(http.get("/v1beta/" + name).json().at("/error/status").asText()).isEqualTo("UNAVAILABLE");
        assertThat(http.get("/v1beta/" + name).status()).isEqualTo(200);

        TestHttp.Resp noKey = TestHttp.gemini(emu, null).get("/v1beta/batches");
        assertThat(noKey.status()).isEqualTo(403);
        assertThat(noKey.json().at("/error/status").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(new TestHttp(emu.geminiBaseUrl(), Map.of()).get("/v1beta/batches?key=abc").status()).isEqualTo(200);
        assertThat(http.get("/v1beta/nothing/here").json().at("/error/code").asInt()).isEqualTo(404);
        assertThat(emu.counters().calls(Provider.GEMINI, "get")).isEqualTo(4);
    }

    @Test
    void requiredKeyGivesApiKeyInvalid() {
        emu.close();
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withRequiredKey("right"));
        TestHttp.Resp wrong = TestHttp.gemini(emu, "wrong").get("/v1beta/batches");
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.json().at("/error/details/0/reason").asText()).isEqualTo("API_KEY_INVALID");
        assertThat(TestHttp.gemini(emu, "right").get("/v1beta/batches").status()).isEqualTo(200);
    }
}
