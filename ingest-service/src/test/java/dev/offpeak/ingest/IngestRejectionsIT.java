package dev.offpeak.ingest;

import static dev.offpeak.ingest.TestTenants.ACME_TOKEN;
import static dev.offpeak.ingest.TestTenants.GLOBEX_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a request is refused: authentication, authorization, content type, size, JSON, and each
 * validation rule. Each answer uses the one error format, and nothing refused reaches Kafka.
 */
@RealKafka
class IngestRejectionsIT {
    private KafkaCluster kafka;
    private RunningService running;
    private Http http;

    @BeforeEach
    void start(KafkaCluster kafka, @TempDir Path dir) {
        this.kafka = kafka;
        running = RunningService.start(kafka, dir);
        http = running.http();
    }

    @AfterEach
    void stop() {
        running.close();
    }

    private Http.Response postTask(String token, String body) {
        return http.post("/v1/tasks", token, "application/json", body);
    }

    /** Asserts the one error format and returns the error object. */
    private static JsonNode error(Http.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode error = response.json().path("error");
        assertThat(error.path("code").asText()).as(response.toString()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("problems").isArray()).isTrue();
        return error;
    }

    private static String fields(JsonNode error) {
        return error.path("problems").findValuesAsText("field").toString();
    }

    @Test
    void missingTokenIs401WithBearerChallenge() {
        Http.Response response = postTask(null, Tasks.chat("a-1"));
        error(response, 401, "unauthorized");
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void wrongTokenAndWrongSchemeAre401AndNeverEchoTheToken() {
        Http.Response wrong = postTask("not-a-known-token", Tasks.chat("a-1"));
        error(wrong, 401, "unauthorized");
        assertThat(wrong.body()).doesNotContain("not-a-known-token");

        HttpRequest basic = HttpRequest.newBuilder(URI.create(running.service().baseUri() + "/v1/tasks"))
                .header("Authorization", "Basic " + ACME_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Tasks.chat("a-1"))).timeout(Duration.ofSeconds(10)).build();
        Http.Response response = http.send(basic);
        assertThat(error(response, 401, "unauthorized").path("message").asText()).contains("Bearer");
        assertThat(response.body()).doesNotContain(ACME_TOKEN);
    }

    @Test
    void everyTaskEndpointNeedsAToken() {
        error(http.post("/v1/tasks:bulk", null, "application/x-ndjson", Tasks.chatLine("a")), 401, "unauthorized");
        error(http.post("/v1/jobs/j/openai-batch", null, "application/jsonl", Tasks.openAiLine("a")), 401,
                "unauthorized");
        error(http.post("/v1/jobs/j:seal", null, null, ""), 401, "unauthorized");
    }

    @Test
    void taskForAnotherTenantIs403() {
        String otherTenant = Tasks.chat("a-1").replace("{\"task_id\"", "{\"tenant\": \"initech\", \"task_id\"");
        JsonNode error = error(postTask(ACME_TOKEN, otherTenant), 403, "forbidden");
        assertThat(fields(error)).isEqualTo("[tenant]");
        assertThat(error.path("problems").get(0).path("message").asText()).contains("acme", "initech");
    }

    @Test
    void globalDedupWithoutOptInIs403NamingDedupScope() {
        String global = Tasks.chat("a-1").replace("{\"task_id\"", "{\"dedup_scope\": \"global\", \"task_id\"");
        JsonNode error = error(postTask(ACME_TOKEN, global), 403, "forbidden");
        assertThat(fields(error)).isEqualTo("[dedup_scope]");
        assertThat(error.path("message").asText()).contains("opted in");

        assertThat(postTask(GLOBEX_TOKEN, global.replace("a-1", "g-1")).status()).isEqualTo(202);
    }

    @Test
    void providerOrModelOutsideTheTenantsAllowanceIs403() {
        String otherModel = Tasks.chat("a-1").replace("gpt-4o-mini", "gpt-4o");
        assertThat(fields(error(postTask(GLOBEX_TOKEN, otherModel), 403, "forbidden"))).isEqualTo("[model]");
        String anthropic = """
                {"task_id": "a-2", "provider": "anthropic", "model": "claude-sonnet-4-5", "endpoint": "/v1/messages",
                 "request": {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}}""";
        assertThat(fields(error(postTask(GLOBEX_TOKEN, anthropic), 403, "forbidden"))).contains("provider");
    }

    @Test
    void unknownModelIs422NamingTheModelAndTheClosestKnownIds() {
        JsonNode error = error(postTask(ACME_TOKEN, Tasks.chat("a-1").replace("gpt-4o-mini", "gpt-4o-mimi")), 422,
                "invalid_task");
        assertThat(fields(error)).isEqualTo("[model]");
        assertThat(error.path("problems").get(0).path("message").asText())
                .startsWith("unknown model 'gpt-4o-mimi' for provider openai (closest known: gpt-4o-mini, ");
    }

    @Test
    void aPromptOverTheModelsContextWindowIs422NamingTheWindow() {
        // ~240,000 tokens for Claude Sonnet 4.5, whose window is 200K since its 1M beta was retired
        String task = """
                {"task_id": "long-1", "provider": "anthropic", "model": "claude-sonnet-4-5", "endpoint": "/v1/messages",
                 "request": {"max_tokens": 1000, "messages": [{"role": "user", "content": "%s"}]}}"""
                .formatted("a".repeat(960_000));
        JsonNode error = error(postTask(ACME_TOKEN, task), 422, "invalid_task");
        assertThat(fields(error)).isEqualTo("[request]");
        assertThat(error.path("problems").get(0).path("message").asText())
                .contains("exceeds the 200000-token context window of claude-sonnet-4-5");
    }

    @Test
    void everyValidationProblemIsReportedAtOnce() {
        String bad = """
                {"task_id": "", "provider": "openai", "model": "gpt-4o-mini", "endpoint": "/v1/messages",
                 "request": {"stream": true}, "metadata": {"k": 1}, "not_after": "tomorrow", "surprise": 1}""";
        JsonNode error = error(postTask(ACME_TOKEN, bad), 422, "invalid_task");
        assertThat(fields(error)).contains("task_id", "endpoint", "request.messages", "request.stream",
                "metadata.k", "not_after", "surprise");
    }

    @Test
    void bodiesTheProviderWouldRefuseAre422NamingEachField() {
        // issue #16: each of these used to be accepted with 202 and refused by the provider a day later
        String openAi = """
                {"task_id": "jobs/7", "provider": "openai", "model": "gpt-4o-mini", "endpoint": "/v1/chat/completions",
                 "request": {"messages": [{"content": "hi"}, {"role": "bot", "content": "x"}],
                             "max_tokens": 1000000, "temperature": "0.7"}}""";
        assertThat(fields(error(postTask(ACME_TOKEN, openAi), 422, "invalid_task"))).contains("task_id",
                "request.messages[0].role", "request.messages[1].role", "request.max_tokens", "request.temperature");
        String anthropic = """
                {"task_id": "a-1", "provider": "anthropic", "model": "claude-haiku-4-5", "endpoint": "/v1/messages",
                 "request": {"messages": [{"role": "system", "content": "rules"}, {"role": "user", "content": "hi"}],
                             "max_tokens": -1}}""";
        JsonNode error = error(postTask(ACME_TOKEN, anthropic), 422, "invalid_task");
        assertThat(fields(error)).contains("request.messages[0].role", "request.max_tokens");
        assertThat(error.toString()).contains("top-level field request.system");
    }

    @Test
    void anUnknownModeIs422NamingModeAndItsChoices() {
        String fast = Tasks.chat("a-1").replace("{\"task_id\"", "{\"mode\": \"fast\", \"task_id\"");
        JsonNode error = error(postTask(ACME_TOKEN, fast), 422, "invalid_task");
        assertThat(fields(error)).isEqualTo("[mode]");
        assertThat(error.path("problems").get(0).path("message").asText())
                .isEqualTo("must be one of batch, flex, sync, auto");
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        JsonNode error = error(postTask(ACME_TOKEN, "{}"), 422, "invalid_task");
        assertThat(fields(error)).contains("task_id", "provider", "model", "endpoint", "request");
    }

    @Test
    void deadlineBeforeSubmissionIs422() {
        String late = Tasks.chat("a-1").replace("{\"task_id\"",
                "{\"submitted_at\": \"2026-11-23T02:00:00Z\", \"not_after\": \"2026-11-22T02:00:00Z\", \"task_id\"");
        assertThat(fields(error(postTask(ACME_TOKEN, late), 422, "invalid_task"))).isEqualTo("[not_after]");
    }

    @Test
    void wrongTypeOrVersionIsRejectedNotOverwritten() {
        String wrong = Tasks.chat("a-1").replace("{\"task_id\"", "{\"type\": \"task.completed\", \"schema_version\": 2, \"task_id\"");
        assertThat(fields(error(postTask(ACME_TOKEN, wrong), 422, "invalid_task"))).contains("type", "schema_version");
    }

    @Test
    void malformedJsonIs400AndNonObjectIs422() {
        error(postTask(ACME_TOKEN, "{\"task_id\": "), 400, "malformed_json");
        error(postTask(ACME_TOKEN, Tasks.chat("a-1") + " trailing"), 400, "malformed_json");
        error(postTask(ACME_TOKEN, "[]"), 422, "invalid_task");
        error(postTask(ACME_TOKEN, ""), 400, "empty_body");
    }

    @Test
    void wrongContentTypeIs415ListingAcceptedTypes() {
        JsonNode error = error(http.post("/v1/tasks", ACME_TOKEN, "text/plain", Tasks.chat("a-1")), 415,
                "unsupported_media_type");
        assertThat(error.path("message").asText()).contains("application/json");
        error(http.post("/v1/tasks", ACME_TOKEN, null, Tasks.chat("a-1")), 415, "unsupported_media_type");
        error(http.post("/v1/tasks:bulk", ACME_TOKEN, "application/json", Tasks.chatLine("a-1")), 415,
                "unsupported_media_type");
        error(http.post("/v1/jobs/j/openai-batch", ACME_TOKEN, "application/xml", Tasks.openAiLine("a")), 415,
                "unsupported_media_type");
    }

    @Test
    void taskOverTheSizeLimitIs413NamingTheLimit() {
        String huge = Tasks.chatLineOfSize("big-1", 1024 * 1024 + 10);
        JsonNode error = error(postTask(ACME_TOKEN, huge), 413, "too_large");
        assertThat(error.path("message").asText()).contains("1048576");
    }

    @Test
    void bulkLineOverTheLimitIsRejectedAndTheRestContinue() {
        String body = Tasks.chatLine("s-1") + "\n" + Tasks.chatLineOfSize("big-2", 1024 * 1024 + 10) + "\n"
                + Tasks.chatLine("s-3") + "\n";
        Http.Response response = http.post("/v1/tasks:bulk", ACME_TOKEN, "application/x-ndjson", body);

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(response.json().path("accepted").asInt()).isEqualTo(2);
        JsonNode line2 = response.json().path("rejected_lines").get(0);
        assertThat(line2.path("line").asInt()).isEqualTo(2);
        assertThat(line2.path("error").path("code").asText()).isEqualTo("too_large");
        assertThat(line2.path("error").path("message").asText()).contains("1048576");
    }

    @Test
    void sealRules() {
        error(http.post("/v1/jobs/-bad%24job:seal", ACME_TOKEN, null, ""), 422, "invalid_task");
        assertThat(fields(error(http.post("/v1/jobs/j-1:seal", ACME_TOKEN, "application/json",
                "{\"task_count\": -1}"), 422, "invalid_task"))).isEqualTo("[task_count]");
        assertThat(fields(error(http.post("/v1/jobs/j-1:seal", ACME_TOKEN, "application/json",
                "{\"task_count\": \"many\", \"x\": 1}"), 422, "invalid_task"))).contains("task_count", "x");
        error(http.post("/v1/jobs/j-1:seal", ACME_TOKEN, "application/json", "{"), 400, "malformed_json");
        error(http.post("/v1/jobs/j-1:seal", ACME_TOKEN, "text/csv", "a,b"), 415, "unsupported_media_type");
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405InTheErrorFormat() {
        error(http.get("/v1/nothing"), 404, "not_found");
        error(http.get("/v1/tasks"), 405, "method_not_allowed");
    }

    @Test
    void nothingRefusedReachesKafka() {
        postTask(ACME_TOKEN, Tasks.chat("x-1").replace("gpt-4o-mini", "gpt-9"));
        postTask(null, Tasks.chat("x-2"));
        postTask(ACME_TOKEN, Tasks.chat("marker"));
        List<ConsumerRecord<String, TaskSubmitted>> records = kafka.readCommitted(running.tasksTopic(), 1,
                new StringDeserializer(), Topics.TASKS.valueSerde().deserializer(), Duration.ofSeconds(30));
        assertThat(records).extracting(r -> r.value().taskId()).containsExactly("marker");
    }
}
