package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** OpenAI over real HTTP: validation failures, quota, cancel, expiry, injected faults, auth and errors. */
class OpenAiFailureConformanceTest extends OpenAiHarness {
    @Test
    void invalidInputFailsTheBatchWithLineErrors() throws IOException {
        List<String> lines = new ArrayList<>(List.of(chatLine("a", "gpt-4o-mini", "x", null), "{not json",
                chatLine("a", "gpt-4o-mini", "dup", null),
                chatLine("b", "gpt-4o", "other model", null),
                chatLine("c", "gpt-4o-mini", "x", null).replace("\"url\":\"" + CHAT, "\"url\":\"/v1/embeddings")));
        JsonNode b = create(upload(lines), null);
        String id = b.get("id").asText();
        clock.advance(Duration.ofSeconds(3));
        b = get(id);
        assertThat(b.get("status").asText()).isEqualTo("failed");
        assertThat(b.get("failed_at").asLong()).isEqualTo(b.get("created_at").asLong() + 2);
        assertThat(b.get("in_progress_at").isNull()).isTrue();
        assertThat(b.get("output_file_id").isNull()).isTrue();
        assertThat(b.at("/errors/object").asText()).isEqualTo("list");
        List<String> codes = new ArrayList<>();
        b.at("/errors/data").forEach(e -> codes.add(e.get("code").asText() + "@" + e.get("line").asInt()));
        assertThat(codes).containsExactly("invalid_json_line@2", "duplicate_custom_id@3", "mismatched_model@4",
                "invalid_url@5");
        assertThat(b.at("/errors/data/0").has("param")).isTrue();
    }

    @Test
    void moreThan50000LinesFailsValidation() throws IOException {
        List<String> lines = IntStream.range(0, 50_001).mapToObj(i -> chatLine("r" + i, "gpt-4o-mini", "x", null)).toList();
        String id = create(upload(lines), null).get("id").asText();
        clock.advance(Duration.ofSeconds(3));
        JsonNode b = get(id);
        assertThat(b.get("status").asText()).isEqualTo("failed");
        assertThat(b.at("/errors/data/0/code").asText()).isEqualTo("request_limit_exceeded");
        assertThat(b.at("/errors/data/0/line").isNull()).isTrue();
    }

    @Test
    void enqueuedTokenQuotaFailsTheBatchWithTokenLimitExceeded() throws IOException {
        emu.faults().setEnqueuedTokenQuota(Provider.OPENAI, "gpt-4o-mini", 60);
        String file = upload(fourLines());
        JsonNode first = create(file, null);
        JsonNode second = create(file, null);
        clock.advance(Duration.ofSeconds(3));
        assertThat(get(first.get("id").asText()).get("status").asText()).isEqualTo("in_progress");
        JsonNode b = get(second.get("id").asText());
        assertThat(b.get("status").asText()).isEqualTo("failed");
        JsonNode err = b.at("/errors/data/0");
        assertThat(err.get("code").asText()).isEqualTo("token_limit_exceeded");
        assertThat(err.get("message").asText()).startsWith("Enqueued token limit reached for gpt-4o-mini");
        assertThat(err.get("line").isNull()).isTrue();
        assertThat(err.get("param").isNull()).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(get(create(file, null).get("id").asText()).get("status").asText()).isEqualTo("validating");
    }

    @Test
    void cancelGoesThroughCancellingToCancelledWithPartialResults() throws IOException {
        String id = create(upload(fourLines()), null).get("id").asText();
        clock.advance(Duration.ofSeconds(4));
        TestHttp.Resp r = http.post("/batches/" + id + "/cancel", "");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("cancelling");
        assertThat(r.json().get("cancelling_at").asLong()).isEqualTo(r.json().get("created_at").asLong() + 4);
        clock.advance(Duration.ofSeconds(5));
        JsonNode b = get(id);
        assertThat(b.get("status").asText()).isEqualTo("cancelled");
        assertThat(b.get("cancelled_at").asLong()).isEqualTo(b.get("created_at").asLong() + 9);
        assertThat(http.get("/files/" + b.get("output_file_id").asText() + "/content").jsonl()).hasSize(2);
        List<JsonNode> errors = http.get("/files/" + b.get("error_file_id").asText() + "/content").jsonl();
        assertThat(errors).hasSize(2).allSatisfy(l -> {
            assertThat(l.get("response").isNull()).isTrue();
            assertThat(l.at("/error/code").asText()).isEqualTo("batch_cancelled");
        });
        TestHttp.Resp again = http.post("/batches/" + id + "/cancel", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().at("/error/message").asText()).isEqualTo("Cannot cancel a batch with status 'cancelled'.");
    }

    @Test
    void batchPastItsWindowExpiresWithBatchExpiredLines() throws IOException {
        List<String> lines = IntStream.range(0, 200_000 / 2).limit(10)
                .mapToObj(i -> chatLine("e" + i, "gpt-4o-mini", "x" + i, null)).toList();
        emu.faults().expireNextBatchAfterLines(Provider.OPENAI, 3);
        String id = create(upload(lines), null).get("id").asText();
        clock.advance(Duration.ofSeconds(20));
        JsonNode b = get(id);
        assertThat(b.get("status").asText()).isEqualTo("expired");
        assertThat(b.get("expired_at").asLong()).isEqualTo(b.get("created_at").asLong() + 5);
        assertThat(b.at("/request_counts/completed").asInt()).isEqualTo(3);
        assertThat(b.at("/request_counts/failed").asInt()).isEqualTo(7);
        assertThat(http.get("/files/" + b.get("output_file_id").asText() + "/content").jsonl()).hasSize(3);
        List<JsonNode> expired = http.get("/files/" + b.get("error_file_id").asText() + "/content").jsonl();
        assertThat(expired).hasSize(7).allSatisfy(l -> {
            assertThat(l.at("/error/code").asText()).isEqualTo("batch_expired");
            assertThat(l.at("/error/message").asText())
                    .isEqualTo("This request could not be executed before the completion window expired.");
        });
    }

    @Test
    void slowBatchExpiresAtTheTwentyFourHourWindow() throws IOException {
        List<String> lines = IntStream.range(0, 100_000).limit(20).mapToObj(i -> chatLine("w" + i, "gpt-4o-mini", "x", null))
                .toList();
        emu.close();
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(new EmulatorConfig.Speed(
                0.0001, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5))));
        http = TestHttp.openAi(emu, "k");
        String id = create(upload(lines), null).get("id").asText();
        clock.advance(Duration.ofHours(23));
        assertThat(get(id).get("status").asText()).isEqualTo("in_progress");
        clock.advance(Duration.ofHours(1));
        JsonNode b = get(id);
        assertThat(b.get("status").asText()).isEqualTo("expired");
        assertThat(b.get("expired_at").asLong()).isEqualTo(b.get("expires_at").asLong());
        int done = b.at("/request_counts/completed").asInt();
        assertThat(done).isBetween(1, 19);
        assertThat(http.get("/files/" + b.get("error_file_id").asText() + "/content").jsonl()).hasSize(20 - done);
    }

    @Test
    void allLinesFailFaultCompletesWithOnlyAnErrorFile() throws IOException {
        emu.faults().failAllLinesOfNextBatch(Provider.OPENAI);
        String id = create(upload(fourLines()), null).get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        JsonNode b = get(id);
        assertThat(b.get("status").asText()).isEqualTo("completed");
        assertThat(b.get("output_file_id").isNull()).isTrue();
        assertThat(b.at("/request_counts/failed").asInt()).isEqualTo(4);
        List<JsonNode> lines = http.get("/files/" + b.get("error_file_id").asText() + "/content").jsonl();
        assertThat(lines).hasSize(4).allSatisfy(l -> {
            assertThat(l.at("/response/status_code").asInt()).isEqualTo(500);
            assertThat(l.at("/response/body/error/type").asText()).isEqualTo("server_error");
            assertThat(l.get("error").isNull()).isTrue();
        });
    }

    @Test
    void badParamsBecomeHttpErrorLinesInTheErrorFile() throws IOException {
        List<String> lines = List.of(chatLine("ok", "gpt-4o-mini", "x", null), chatLine("bad", "gpt-4o-mini", "x", 0));
        String id = create(upload(lines), null).get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        JsonNode b = get(id);
        assertThat(b.at("/request_counts/completed").asInt()).isEqualTo(1);
        assertThat(b.at("/request_counts/failed").asInt()).isEqualTo(1);
        JsonNode err = http.get("/files/" + b.get("error_file_id").asText() + "/content").jsonl().get(0);
        assertThat(err.get("custom_id").asText()).isEqualTo("bad");
        assertThat(err.at("/response/status_code").asInt()).isEqualTo(400);
        assertThat(err.at("/response/body/error/param").asText()).isEqualTo("max_tokens");
    }

    @Test
    void errorsHaveOpenAiBodiesAndHeaders() throws IOException {
        TestHttp noKey = TestHttp.openAi(emu, null);
        TestHttp.Resp r = noKey.get("/batches");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(r.json().get("error").has("code")).isTrue();
        assertThat(r.header("x-request-id")).startsWith("req_");

        TestHttp.Resp unknownPath = http.get("/no/such/path");
        assertThat(unknownPath.status()).isEqualTo(404);
        assertThat(unknownPath.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
        TestHttp.Resp missing = http.get("/batches/batch_0000");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().at("/error/message").asText()).contains("batch_0000");

        emu.faults().failNext(Provider.OPENAI, "create_batch", 2, 429, Duration.ofSeconds(7));
        String file = upload(fourLines());
        String body = "{\"input_file_id\":\"" + file + "\",\"endpoint\":\"" + CHAT + "\",\"completion_window\":\"24h\"}";
        for (int i = 0; i < 2; i++) {
            TestHttp.Resp limited = http.post("/batches", body);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.header("retry-after")).isEqualTo("7");
            assertThat(limited.header("retry-after-ms")).isEqualTo("7000");
            assertThat(limited.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        }
        assertThat(http.post("/batches", body).status()).isEqualTo(200);
        assertThat(emu.counters().calls(Provider.OPENAI, "create_batch")).isEqualTo(3);
        assertThat(emu.counters().batchesCreated(Provider.OPENAI)).isEqualTo(1);

        emu.faults().failNext(Provider.OPENAI, "file_content", 1, 503, null);
        TestHttp.Resp down = http.get("/files/" + file + "/content");
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.json().at("/error/type").asText()).isEqualTo("server_error");
        assertThat(http.get("/files/" + file + "/content").status()).isEqualTo(200);
    }

    @Test
    void requiredKeyRejectsOtherKeys() {
        emu.close();
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withRequiredKey("sk-right"));
        TestHttp.Resp wrong = TestHttp.openAi(emu, "sk-wrong").get("/batches");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(wrong.body()).doesNotContain("sk-wrong");
        assertThat(TestHttp.openAi(emu, "sk-right").get("/batches").status()).isEqualTo(200);
    }

    @Test
    void slowFaultDelaysTheAnswer() {
        emu.faults().slowNext(Provider.OPENAI, "list_batches", 1, Duration.ofMillis(300));
        long t0 = System.nanoTime();
        assertThat(http.get("/batches").status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void createRejectsBadRequestsSynchronously() throws IOException {
        String file = upload(fourLines());
        assertThat(http.post("/batches", "{\"input_file_id\":\"" + file + "\",\"endpoint\":\"/v1/nope\","
                + "\"completion_window\":\"24h\"}").json().at("/error/param").asText()).isEqualTo("endpoint");
        assertThat(http.post("/batches", "{\"input_file_id\":\"" + file + "\",\"endpoint\":\"" + CHAT + "\","
                + "\"completion_window\":\"48h\"}").status()).isEqualTo(400);
        assertThat(http.post("/batches", "{\"input_file_id\":\"file-nope\",\"endpoint\":\"" + CHAT + "\","
                + "\"completion_window\":\"24h\"}").status()).isEqualTo(404);
    }
}
