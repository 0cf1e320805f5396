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

/** OpenAI Files and Batches over real HTTP: the happy paths, shapes and usage of openai-batch.md. */
class OpenAiConformanceTest extends OpenAiHarness {
    @Test
    void filesAreUploadedListedReadAndDeleted() throws IOException {
        List<String> lines = fourLines();
        String id = upload(lines);
        assertThat(id).matches("file-[0-9A-Za-z]{22}");
        JsonNode file = http.get("/files/" + id).json();
        assertThat(file.get("object").asText()).isEqualTo("file");
        assertThat(file.get("purpose").asText()).isEqualTo("batch");
        assertThat(file.get("status").asText()).isEqualTo("processed");
        assertThat(file.has("status_details")).isTrue();
        assertThat(file.get("bytes").asLong()).isEqualTo(String.join("\n", lines).length() + 1);
        assertThat(file.get("expires_at").asLong() - file.get("created_at").asLong()).isEqualTo(30 * 86400);
        assertThat(http.get("/files/" + id + "/content").body()).isEqualTo(String.join("\n", lines) + "\n");
        String second = upload(lines);
        JsonNode list = http.get("/files?purpose=batch&limit=1").json();
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("data")).hasSize(1);
        assertThat(list.get("has_more").asBoolean()).isTrue();
        JsonNode next = http.get("/files?purpose=batch&limit=1&after=" + list.get("last_id").asText()).json();
        assertThat(List.of(list.get("first_id").asText(), next.get("first_id").asText())).containsExactlyInAnyOrder(id, second);
        assertThat(next.get("has_more").asBoolean()).isFalse();
        JsonNode deleted = http.delete("/files/" + id).json();
        assertThat(deleted.get("deleted").asBoolean()).isTrue();
        assertThat(deleted.get("object").asText()).isEqualTo("file");
        TestHttp.Resp gone = http.get("/files/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void batchWalksValidatingInProgressFinalizingCompletedOnTheClock() throws IOException {
        String fileId = upload(fourLines());
        JsonNode b = create(fileId, "{\"client_job\":\"job42\"}");
        assertThat(b.get("id").asText()).matches("batch_[0-9a-f]{32}");
        assertThat(b.fieldNames()).toIterable().containsAll(BATCH_FIELDS);
        assertThat(b.get("status").asText()).isEqualTo("validating");
        assertThat(b.get("metadata").get("client_job").asText()).isEqualTo("job42");
        assertThat(b.get("in_progress_at").isNull()).isTrue();
        assertThat(b.get("expires_at").asLong() - b.get("created_at").asLong()).isEqualTo(86400);
        assertThat(b.get("request_counts").get("total").asInt()).isZero();
        String id = b.get("id").asText();

        clock.advance(Duration.ofSeconds(4));
        b = get(id);
        assertThat(b.get("status").asText()).isEqualTo("in_progress");
        assertThat(b.get("in_progress_at").asLong()).isEqualTo(b.get("created_at").asLong() + 2);
        assertThat(b.at("/request_counts/total").asInt()).isEqualTo(4);
        assertThat(b.at("/request_counts/completed").asInt()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(3));
        b = get(id);
        assertThat(b.get("status").asText()).isEqualTo("finalizing");
        assertThat(b.get("finalizing_at").isNull()).isFalse();
        assertThat(b.get("output_file_id").isNull()).isTrue();

        clock.advance(Duration.ofSeconds(2));
        b = get(id);
        assertThat(b.get("status").asText()).isEqualTo("completed");
        assertThat(b.get("completed_at").asLong()).isEqualTo(b.get("created_at").asLong() + 8);
        assertThat(b.at("/request_counts/completed").asInt()).isEqualTo(4);
        assertThat(b.at("/request_counts/failed").asInt()).isZero();
        assertThat(b.get("error_file_id").isNull()).isTrue();
        assertThat(b.at("/usage/input_tokens").asLong()).isPositive();

        JsonNode outFile = http.get("/files/" + b.get("output_file_id").asText()).json();
        assertThat(outFile.get("purpose").asText()).isEqualTo("batch_output");
        List<JsonNode> out = http.get("/files/" + b.get("output_file_id").asText() + "/content").jsonl();
        assertThat(out).hasSize(4);
        JsonNode line = out.get(0);
        assertThat(line.get("id").asText()).startsWith("batch_req_");
        assertThat(line.get("custom_id").asText()).startsWith("job-");
        assertThat(line.get("error").isNull()).isTrue();
        assertThat(line.at("/response/status_code").asInt()).isEqualTo(200);
        assertThat(line.at("/response/request_id").asText()).startsWith("req_");
        JsonNode body = line.at("/response/body");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isBetween(8, 20);
        assertThat(body.at("/usage/total_tokens").asInt())
                .isEqualTo(body.at("/usage/prompt_tokens").asInt() + body.at("/usage/completion_tokens").asInt());
        assertThat(body.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
        long sumIn = out.stream().mapToLong(l -> l.at("/response/body/usage/prompt_tokens").asLong()).sum();
        assertThat(get(id).at("/usage/input_tokens").asLong()).isEqualTo(sumIn);
    }

    @Test
    void sameRequestGetsTheSameAnswerAndMaxTokensIsHonoured() throws IOException {
        List<String> lines = List.of(chatLine("a", "gpt-4o-mini", "same question", null),
                chatLine("b", "gpt-4o-mini", "same question", null),
                chatLine("c", "gpt-4o-mini", "same question", 3));
        String id = create(upload(lines), null).get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        Map<String, JsonNode> byId = byCustomId(http.get("/files/" + get(id).get("output_file_id").asText()
                + "/content").jsonl());
        JsonNode a = byId.get("a").at("/response/body");
        JsonNode b = byId.get("b").at("/response/body");
        JsonNode c = byId.get("c").at("/response/body");
        assertThat(a.at("/choices/0/message/content")).isEqualTo(b.at("/choices/0/message/content"));
        assertThat(a.get("usage")).isEqualTo(b.get("usage"));
        assertThat(c.at("/usage/completion_tokens").asInt()).isEqualTo(3);
        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(a.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void sharedLongPrefixIsReportedAsCachedTokensIn128TokenSteps() throws IOException {
        String prefix = "lorem ipsum dolor sit amet ".repeat(400);
        List<String> lines = List.of(chatLine("p1", "gpt-4o-mini", prefix + "first", null),
                chatLine("p2", "gpt-4o-mini", prefix + "second", null),
                chatLine("short", "gpt-4o-mini", "short one", null));
        String id = create(upload(lines), null).get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        JsonNode batch = get(id);
        Map<String, JsonNode> byId = byCustomId(http.get("/files/" + batch.get("output_file_id").asText()
                + "/content").jsonl());
        int first = byId.get("p1").at("/response/body/usage/prompt_tokens_details/cached_tokens").asInt();
        int second = byId.get("p2").at("/response/body/usage/prompt_tokens_details/cached_tokens").asInt();
        int prompt2 = byId.get("p2").at("/response/body/usage/prompt_tokens").asInt();
        assertThat(first).isZero();
        assertThat(second).isGreaterThanOrEqualTo(1024).isLessThan(prompt2);
        assertThat((second - 1024) % 128).isZero();
        assertThat(byId.get("short").at("/response/body/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
        assertThat(batch.at("/usage/input_tokens_details/cached_tokens").asInt()).isEqualTo(second);
    }

    @Test
    void listIsNewestFirstWithAfterAndLimit() throws IOException {
        String file = upload(fourLines());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(create(file, null).get("id").asText());
            clock.advance(Duration.ofSeconds(1));
        }
        JsonNode page1 = http.get("/batches?limit=2").json();
        assertThat(page1.get("object").asText()).isEqualTo("list");
        assertThat(page1.get("has_more").asBoolean()).isTrue();
        assertThat(page1.get("first_id").asText()).isEqualTo(ids.get(2));
        assertThat(page1.get("last_id").asText()).isEqualTo(ids.get(1));
        JsonNode page2 = http.get("/batches?limit=2&after=" + page1.get("last_id").asText()).json();
        assertThat(page2.get("data")).hasSize(1);
        assertThat(page2.at("/data/0/id").asText()).isEqualTo(ids.get(0));
        assertThat(page2.get("has_more").asBoolean()).isFalse();
        assertThat(http.get("/batches?limit=101").status()).isEqualTo(400);
    }

    @Test
    void responsesAndEmbeddingsEndpointsAnswerInTheirOwnShapes() throws IOException {
        String resp = "{\"custom_id\":\"r1\",\"method\":\"POST\",\"url\":\"/v1/responses\",\"body\":{\"model\":"
                + "\"gpt-5\",\"input\":\"Say hi\",\"max_output_tokens\":16}}";
        String fileId = upload(List.of(resp));
        String id = http.post("/batches", "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"/v1/responses\","
                + "\"completion_window\":\"24h\"}").json().get("id").asText();
        String emb = "{\"custom_id\":\"e1\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":"
                + "\"text-embedding-3-small\",\"input\":[\"a\",\"b\"],\"dimensions\":8}}";
        String embId = http.post("/batches", "{\"input_file_id\":\"" + upload(List.of(emb))
                + "\",\"endpoint\":\"/v1/embeddings\",\"completion_window\":\"24h\"}").json().get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        JsonNode r = http.get("/files/" + get(id).get("output_file_id").asText() + "/content").jsonl().get(0)
                .at("/response/body");
        assertThat(r.get("object").asText()).isEqualTo("response");
        assertThat(r.at("/output/0/content/0/type").asText()).isEqualTo("output_text");
        assertThat(r.at("/usage/input_tokens").asInt()).isPositive();
        assertThat(r.at("/usage/output_tokens").asInt()).isLessThanOrEqualTo(16);
        assertThat(r.at("/usage/input_tokens_details/cached_tokens").isInt()).isTrue();
        JsonNode e = http.get("/files/" + get(embId).get("output_file_id").asText() + "/content").jsonl().get(0)
                .at("/response/body");
        assertThat(e.get("object").asText()).isEqualTo("list");
        assertThat(e.get("data")).hasSize(2);
        assertThat(e.at("/data/1/embedding")).hasSize(8);
        assertThat(e.at("/usage/total_tokens").asInt()).isEqualTo(e.at("/usage/prompt_tokens").asInt()).isPositive();
    }

    @Test
    void uploadWithoutAValidPurposeIs400() throws IOException {
        Path f = Files.write(tmp.resolve("x.jsonl"), fourLines());
        TestHttp.Resp r = http.upload("/files", "nonsense", f);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/param").asText()).isEqualTo("purpose");
    }

    @Test
    void aRejectedUploadIsAnsweredNotResetWhileTheClientIsStillSending() throws Exception {
        // The JDK client sends the whole multipart body before reading; a 401 answered with body bytes
        // still unread can reach it as a reset ("header parser received no bytes"), seen once in CI.
        // The race is intermittent, so this checks the answer repeatedly; it cannot prove the race gone.
        Path big = Files.write(tmp.resolve("big.jsonl"), ("x".repeat(1023) + "\n").repeat(8 * 1024).getBytes());
        try (ProviderEmulator keyed = ProviderEmulator.start(EmulatorConfig.defaults().withRequiredKey("sk-right"))) {
            TestHttp wrong = TestHttp.openAi(keyed, "sk-wrong");
            for (int i = 0; i < 5; i++) {
                TestHttp.Resp r = wrong.upload("/files", "batch", big);
                assertThat(r.status()).as(r.body()).isEqualTo(401);
                assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
            }
        }
    }
}
