package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives every Anthropic Message Batches endpoint over real HTTP against anthropic-message-batches.md. */
class AnthropicConformanceTest {
    private static final String RFC3339_MICROS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z";
    private final ManualClock clock = ManualClock.startingAt2026();
    private ProviderEmulator emu;
    private TestHttp http;

    @BeforeEach
    void start() {
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(
                new EmulatorConfig.Speed(1, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2),
                        Duration.ofSeconds(5))));
        http = TestHttp.anthropic(emu, "sk-ant-test");
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    static String request(String id, String text, int maxTokens, String system) {
        return "{\"custom_id\":\"" + id + "\",\"params\":{\"model\":\"claude-haiku-4-5\",\"max_tokens\":" + maxTokens
                + (system == null ? "" : ",\"system\":[{\"type\":\"text\",\"text\":\"" + system
                + "\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}]")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}}";
    }

    static String body(List<String> requests) {
        return "{\"requests\":[" + String.join(",", requests) + "]}";
    }

    private JsonNode create(List<String> requests) {
        TestHttp.Resp r = http.post("/v1/messages/batches", body(requests));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private JsonNode get(String id) {
        return http.get("/v1/messages/batches/" + id).json();
    }

    private List<String> four() {
        return IntStream.range(0, 4).mapToObj(i -> request("req-" + i, "hello " + i, 64, null)).toList();
    }

    @Test
    void batchIsInProgressThenEndedWithCountersOnlyAtTheEnd() {
        JsonNode b = create(four());
        assertThat(b.get("id").asText()).matches("msgbatch_01[1-9A-HJ-NP-Za-km-z]{22}");
        assertThat(b.get("type").asText()).isEqualTo("message_batch");
        assertThat(b.get("processing_status").asText()).isEqualTo("in_progress");
        assertThat(b.fieldNames()).toIterable().containsExactlyInAnyOrder("id", "type", "processing_status",
                "request_counts", "ended_at", "created_at", "expires_at", "archived_at", "cancel_initiated_at",
                "results_url");
        assertThat(b.get("created_at").asText()).matches(RFC3339_MICROS);
        assertThat(Duration.between(Instant.parse(b.get("created_at").asText()), Instant.parse(b.get("expires_at").asText())))
                .isEqualTo(Duration.ofHours(24));
        assertThat(b.get("results_url").isNull()).isTrue();
        String id = b.get("id").asText();
        assertThat(http.get("/v1/messages/batches/" + id + "/results").status()).isEqualTo(404);

        clock.advance(Duration.ofSeconds(4));
        JsonNode mid = get(id);
        assertThat(mid.get("processing_status").asText()).isEqualTo("in_progress");
        assertThat(mid.at("/request_counts/processing").asInt()).isEqualTo(4);
        assertThat(mid.at("/request_counts/succeeded").asInt()).isZero();

        clock.advance(Duration.ofSeconds(10));
        JsonNode end = get(id);
        assertThat(end.get("processing_status").asText()).isEqualTo("ended");
        assertThat(end.get("ended_at").asText()).matches(RFC3339_MICROS);
        assertThat(end.at("/request_counts/processing").asInt()).isZero();
        assertThat(end.at("/request_counts/succeeded").asInt()).isEqualTo(4);
        assertThat(end.get("results_url").asText()).isEqualTo(emu.anthropicBaseUrl() + "/v1/messages/batches/" + id + "/results");

        TestHttp.Resp results = http.get("/v1/messages/batches/" + id + "/results");
        assertThat(results.header("content-type")).startsWith("application/x-jsonl");
        List<JsonNode> lines = results.jsonl();
        assertThat(lines).hasSize(4).allSatisfy(l -> {
            assertThat(l.at("/result/type").asText()).isEqualTo("succeeded");
            JsonNode msg = l.at("/result/message");
            assertThat(msg.get("id").asText()).startsWith("msg_01");
            assertThat(msg.get("type").asText()).isEqualTo("message");
            assertThat(msg.at("/content/0/type").asText()).isEqualTo("text");
            assertThat(msg.at("/usage/service_tier").asText()).isEqualTo("batch");
            assertThat(msg.at("/usage/input_tokens").asInt()).isPositive();
            assertThat(msg.at("/usage/cache_creation/ephemeral_5m_input_tokens").isInt()).isTrue();
        });
    }

    @Test
    void cacheControlWritesOnceThenReads() {
        // Haiku 4.5 caches prefixes of 4,096 tokens or more: 18,000 characters are 4,500 estimated tokens
        String shared = "You are a careful classifier. ".repeat(600);
        create(List.of(request("c1", "one", 5, shared), request("c2", "two", 5, shared), request("c3", "three", 5, shared)));
        clock.advance(Duration.ofMinutes(1));
        String id = http.get("/v1/messages/batches").json().at("/data/0/id").asText();
        Map<String, JsonNode> usage = http.get("/v1/messages/batches/" + id + "/results").jsonl().stream()
                .collect(Collectors.toMap(l -> l.get("custom_id").asText(), l -> l.at("/result/message/usage")));
        int prefix = (shared.length() + 3) / 4;
        assertThat(usage.get("c1").get("cache_creation_input_tokens").asInt()).isEqualTo(prefix);
        assertThat(usage.get("c1").at("/cache_creation/ephemeral_1h_input_tokens").asInt()).isEqualTo(prefix);
        assertThat(usage.get("c1").get("cache_read_input_tokens").asInt()).isZero();
        assertThat(usage.get("c2").get("cache_read_input_tokens").asInt()).isEqualTo(prefix);
        assertThat(usage.get("c3").get("cache_read_input_tokens").asInt()).isEqualTo(prefix);
        assertThat(usage.get("c2").get("cache_creation_input_tokens").asInt()).isZero();
        assertThat(usage.get("c2").get("output_tokens").asInt()).isLessThanOrEqualTo(5);
    }

    @Test
    void customIdRulesAreSynchronous400s() {
        assertError(http.post("/v1/messages/batches", body(List.of(request("a", "x", 5, null), request("a", "y", 5, null)))),
                400, "invalid_request_error", "requests: custom_id's must be unique within a batch. Duplicate custom_id found: a");
        assertError(http.post("/v1/messages/batches", body(List.of(request("bad id!", "x", 5, null)))), 400,
                "invalid_request_error", "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
        assertError(http.post("/v1/messages/batches", body(List.of(request("x".repeat(65), "x", 5, null)))), 400,
                "invalid_request_error", "requests.0.custom_id: String should have at most 64 characters");
        assertError(http.post("/v1/messages/batches", "{\"requests\":[{\"params\":{}}]}"), 400,
                "invalid_request_error", "requests.0.custom_id: Field required");
        assertError(http.post("/v1/messages/batches", "{\"requests\":[]}"), 400, "invalid_request_error",
                "requests: List should have at least 1 item after validation, not 0");
        assertThat(emu.counters().batchesCreated(Provider.ANTHROPIC)).isZero();
    }

    @Test
    void badParamsComeBackAsErroredResults() {
        String id = create(List.of(request("good", "x", 5, null), request("bad", "x", 0, null))).get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        JsonNode b = get(id);
        assertThat(b.at("/request_counts/succeeded").asInt()).isEqualTo(1);
        assertThat(b.at("/request_counts/errored").asInt()).isEqualTo(1);
        JsonNode bad = http.get("/v1/messages/batches/" + id + "/results").jsonl().stream()
                .filter(l -> l.get("custom_id").asText().equals("bad")).findFirst().orElseThrow();
        assertThat(bad.at("/result/type").asText()).isEqualTo("errored");
        assertThat(bad.at("/result/error/type").asText()).isEqualTo("error");
        assertThat(bad.at("/result/error/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(bad.at("/result/error/request_id").isNull()).isTrue();
    }

    @Test
    void cancelEndsWithCanceledResultsAndDeleteWorksOnlyWhenEnded() {
        String id = create(four()).get("id").asText();
        clock.advance(Duration.ofSeconds(4));
        assertThat(http.delete("/v1/messages/batches/" + id).status()).isEqualTo(400);
        JsonNode c = http.post("/v1/messages/batches/" + id + "/cancel", "").json();
        assertThat(c.get("processing_status").asText()).isEqualTo("canceling");
        assertThat(c.get("cancel_initiated_at").asText()).matches(RFC3339_MICROS);
        clock.advance(Duration.ofSeconds(5));
        JsonNode b = get(id);
        assertThat(b.get("processing_status").asText()).isEqualTo("ended");
        assertThat(b.at("/request_counts/succeeded").asInt()).isEqualTo(2);
        assertThat(b.at("/request_counts/canceled").asInt()).isEqualTo(2);
        List<String> types = new ArrayList<>();
        http.get("/v1/messages/batches/" + id + "/results").jsonl().forEach(l -> types.add(l.at("/result/type").asText()));
        assertThat(types).containsExactlyInAnyOrder("succeeded", "succeeded", "canceled", "canceled");
        assertThat(http.post("/v1/messages/batches/" + id + "/cancel", "").status()).isEqualTo(400);
        JsonNode deleted = http.delete("/v1/messages/batches/" + id).json();
        assertThat(deleted.get("type").asText()).isEqualTo("message_batch_deleted");
        TestHttp.Resp gone = http.get("/v1/messages/batches/" + id);
        assertError(gone, 404, "not_found_error", "Message Batch " + id + " not found.");
    }

    @Test
    void expiryEndsTheBatchWithExpiredResults() {
        emu.faults().expireNextBatchAfterLines(Provider.ANTHROPIC, 1);
        String id = create(four()).get("id").asText();
        clock.advance(Duration.ofHours(24));
        JsonNode b = get(id);
        assertThat(b.get("processing_status").asText()).isEqualTo("ended");
        assertThat(b.at("/request_counts/succeeded").asInt()).isEqualTo(1);
        assertThat(b.at("/request_counts/expired").asInt()).isEqualTo(3);
        assertThat(http.get("/v1/messages/batches/" + id + "/results").jsonl())
                .filteredOn(l -> l.at("/result/type").asText().equals("expired")).hasSize(3)
                .allSatisfy(l -> assertThat(l.get("result").size()).isEqualTo(1));
    }

    @Test
    void allLinesFailFaultGivesErroredApiErrors() {
        emu.faults().failAllLinesOfNextBatch(Provider.ANTHROPIC);
        String id = create(four()).get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        assertThat(get(id).at("/request_counts/errored").asInt()).isEqualTo(4);
        assertThat(http.get("/v1/messages/batches/" + id + "/results").jsonl())
                .allSatisfy(l -> assertThat(l.at("/result/error/error/type").asText()).isEqualTo("api_error"));
    }

    @Test
    void archivedAfter29DaysAndResultsGone() {
        String id = create(four()).get("id").asText();
        clock.advance(Duration.ofDays(29));
        JsonNode b = get(id);
        assertThat(b.get("archived_at").asText()).matches(RFC3339_MICROS);
        assertThat(http.get("/v1/messages/batches/" + id + "/results").status()).isEqualTo(404);
    }

    @Test
    void listPagesWithAfterIdAndBeforeId() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(create(four()).get("id").asText());
        }
        JsonNode p1 = http.get("/v1/messages/batches?limit=2").json();
        assertThat(p1.get("has_more").asBoolean()).isTrue();
        assertThat(p1.get("first_id").asText()).isEqualTo(ids.get(2));
        JsonNode p2 = http.get("/v1/messages/batches?limit=2&after_id=" + p1.get("last_id").asText()).json();
        assertThat(p2.at("/data/0/id").asText()).isEqualTo(ids.get(0));
        assertThat(p2.get("has_more").asBoolean()).isFalse();
        JsonNode back = http.get("/v1/messages/batches?limit=1&before_id=" + ids.get(0)).json();
        assertThat(back.at("/data/0/id").asText()).isEqualTo(ids.get(1));
        assertThat(back.get("has_more").asBoolean()).isTrue();
    }

    @Test
    void authVersionFaultsAndTooLarge() {
        TestHttp.Resp noKey = TestHttp.anthropic(emu, null).get("/v1/messages/batches");
        assertError(noKey, 401, "authentication_error", "x-api-key header is required");
        assertThat(noKey.header("request-id")).isNotBlank();
        assertThat(noKey.json().get("request_id").asText()).isEqualTo(noKey.header("request-id"));
        TestHttp.Resp noVersion = new TestHttp(emu.anthropicBaseUrl(), Map.of("x-api-key", "k")).get("/v1/messages/batches");
        assertError(noVersion, 400, "invalid_request_error", "anthropic-version: header is required");

        assertThat(http.get("/v1/nothing").json().at("/error/type").asText()).isEqualTo("not_found_error");
        emu.faults().failNext(Provider.ANTHROPIC, "create", 1, 429, Duration.ofSeconds(10));
        TestHttp.Resp limited = http.post("/v1/messages/batches", body(four()));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(limited.header("retry-after")).isEqualTo("10");
        emu.faults().failNext(Provider.ANTHROPIC, "results", 1, 529, null);
        assertThat(http.get("/v1/messages/batches/msgbatch_x/results").json().at("/error/type").asText())
                .isEqualTo("overloaded_error");
        assertThat(emu.counters().calls(Provider.ANTHROPIC, "create")).isEqualTo(1);
    }

    @Test
    void bodyOver256MegabytesIs413RequestTooLarge() throws Exception {
        // The JDK client will not send a Content-Length it does not mean, so speak HTTP/1.1 directly.
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", emu.port())) {
            s.getOutputStream().write(("POST /anthropic/v1/messages/batches HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "x-api-key: k\r\nanthropic-version: 2023-06-01\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 300000000\r\nConnection: close\r\n\r\n{\"requests\":[")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 413");
            assertThat(response).contains("\"type\":\"request_too_large\"");
        }
    }

    static void assertError(TestHttp.Resp r, int status, String type, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        JsonNode j = r.json();
        assertThat(j.get("type").asText()).isEqualTo("error");
        assertThat(j.at("/error/type").asText()).isEqualTo(type);
        assertThat(j.at("/error/message").asText()).isEqualTo(message);
        assertThat(j.has("request_id")).isTrue();
    }
}
