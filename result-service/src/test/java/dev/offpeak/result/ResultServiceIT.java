package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.emulator.ProviderEmulator;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.read.JobReport;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.PostgresDatabase;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.tenants.Tenants;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** result-service as it runs in production: configured from the environment, its own loops, real time. */
@RealKafka
@RealPostgres
class ResultServiceIT {

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void readApiAnswersPerTenant(int port) throws Exception {
        HttpResponse<String> task = get(port, "/v1/tasks/b-svc-openai-t0", "acme-read-token");
        assertThat(task.statusCode()).as(task.body()).isEqualTo(200);
        JsonNode t = Json.mapper().readTree(task.body());
        assertThat(t.get("status").asText()).isEqualTo("succeeded");
        assertThat(t.get("cost_usd").isTextual()).as("money is an exact decimal string").isTrue();
        assertThat(new java.math.BigDecimal(t.get("cost_usd").asText())).isPositive();
        HttpResponse<String> body = get(port, t.get("response_ref").asText(), "acme-read-token");
        assertThat(Json.mapper().readTree(body.body()).isObject()).isTrue();
        assertThat(get(port, "/v1/tasks/b-svc-openai-t0", "globex-read-token").statusCode()).isEqualTo(404);
        assertThat(get(port, "/v1/tasks/b-svc-openai-t0", null).statusCode()).isEqualTo(401);
        assertThat(get(port, "/v1/tasks/b-svc-openai-t0", "forged").body()).contains("\"code\":\"unauthorized\"");
        JsonNode job = Json.mapper().readTree(get(port, "/v1/jobs/job-1", "acme-read-token").body());
        assertThat(job.get("tasks").asInt()).isEqualTo(44);
        assertThat(job.get("succeeded").asInt()).isEqualTo(44);
        assertThat(get(port, "/health/ready", null).statusCode()).isEqualTo(200);
        assertThat(get(port, "/metrics", null).body()).contains("offpeak_result_lines_settled_total");
    }

    /**
     * The job report, its progress counts and the status / jobs / costs tables: the figures equal SQL
     * written here, money as exact decimal strings, and another tenant's token sees none of it.
     */
    private static void readApiServesTheReportProgressAndOverviewsOfTheTokensTenant(int port, Db sql) throws Exception {
        HttpResponse<String> answer = get(port, "/v1/jobs/job-1/report", "acme-read-token");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JobReport report = Json.mapper().readValue(answer.body(), JobReport.class);
        JsonNode raw = Json.mapper().readTree(answer.body());
        assertThat(raw.at("/rows/0/billed_usd").isTextual()).as("money is an exact decimal string").isTrue();
        assertThat(report.tenant()).isEqualTo("acme");
        assertThat(report.jobId()).isEqualTo("job-1");
        assertThat(report.tasks()).isEqualTo(44);
        assertThat(report.rows()).extracting(JobReport.Row::provider).containsExactly("anthropic", "gemini", "openai");
        assertThat(report.batchesByProvider()).containsExactlyEntriesOf(new java.util.TreeMap<>(
                Map.of("anthropic", 1L, "gemini", 1L, "openai", 1L)));
        assertThat(report.duplicates()).isEqualTo(4);
        assertThat(report.uniqueRequests()).isEqualTo(40);
        assertThat(report.linesByStatus()).containsEntry("succeeded", 40L);
        assertThat(report.billedUsd()).isEqualByComparingTo(money(sql, "SELECT sum(cost_usd) FROM tasks WHERE job_id = 'job-1'"));
        assertThat(report.savedUsd()).isEqualByComparingTo(money(sql, "SELECT sum(saved_usd) FROM tasks WHERE job_id = 'job-1'"));
        assertThat(report.syncEquivalentUsd()).isEqualByComparingTo(
                money(sql, "SELECT sum(sync_cost_usd) FROM tasks WHERE job_id = 'job-1'"));

        JsonNode progress = Json.mapper().readTree(get(port, "/v1/jobs/job-1/progress", "acme-read-token").body());
        assertThat(progress.path("known").asLong()).isEqualTo(44);
        assertThat(progress.path("finished").asLong()).isEqualTo(44);
        assertThat(progress.path("submitted").asLong()).isEqualTo(44);
        assertThat(new java.math.BigDecimal(progress.path("cost_usd").asText())).isEqualByComparingTo(report.billedUsd());
        JsonNode none = Json.mapper().readTree(get(port, "/v1/jobs/job-1/progress", "globex-read-token").body());
        assertThat(none.path("known").asLong()).as("a job is tenant-scoped; before its first task all is 0").isZero();

        JsonNode status = Json.mapper().readTree(get(port, "/v1/status", "acme-read-token").body());
        assertThat(status.path("tenant").asText()).isEqualTo("acme");
        assertThat(status.at("/tasks/rows").toString()).contains("[\"succeeded\",\"44\",\"4\",");
        assertThat(status.at("/batches/rows")).hasSize(3);
        JsonNode jobs = Json.mapper().readTree(get(port, "/v1/jobs", "acme-read-token").body());
        assertThat(jobs.at("/table/rows/0/1").asText()).isEqualTo("job-1");
        JsonNode costs = Json.mapper().readTree(get(port, "/v1/costs?by=model", "acme-read-token").body());
        assertThat(costs.at("/table/columns/0/name").asText()).isEqualTo("provider");
        assertThat(costs.at("/table/rows")).hasSize(3);
        assertThat(costs.at("/table/columns/4/numeric").asBoolean()).as("billed_usd right-aligned").isTrue();

        HttpResponse<String> globexStatus = get(port, "/v1/status", "globex-read-token");
        assertThat(Json.mapper().readTree(globexStatus.body()).at("/tasks/rows")).isEmpty();
        assertThat(Json.mapper().readTree(globexStatus.body()).at("/batches/rows")).as("no batch holds a globex task").isEmpty();
        assertThat(Json.mapper().readTree(get(port, "/v1/jobs", "globex-read-token").body()).at("/table/rows")).isEmpty();
        assertThat(Json.mapper().readTree(get(port, "/v1/costs", "globex-read-token").body()).at("/table/rows")).isEmpty();
        assertThat(get(port, "/v1/jobs/job-1/report", "globex-read-token").statusCode()).isEqualTo(404);
        assertThat(get(port, "/v1/jobs/job-1/report", null).statusCode()).isEqualTo(401);
        assertThat(get(port, "/v1/status", "forged").statusCode()).isEqualTo(401);
        HttpResponse<String> badBy = get(port, "/v1/costs?by=color", "acme-read-token");
        assertThat(badBy.statusCode()).isEqualTo(400);
        assertThat(badBy.body()).contains("invalid_parameter").contains("Invalid value color for by");
        assertThat(get(port, "/v1/costs?since=yesterday", "acme-read-token").statusCode()).isEqualTo(400);
        JsonNode later = Json.mapper().readTree(get(port, "/v1/costs?since=2999-01-01", "acme-read-token").body());
        assertThat(later.at("/table/rows")).isEmpty();
    }

    private static java.math.BigDecimal money(Db sql, String query) {
        return sql.queryOne(query, rs -> rs.getBigDecimal(1)).orElseThrow();
    }

    @Test
    void startsFromItsEnvironmentSettlesBatchesOfEveryProviderAndStopsCleanly(KafkaCluster kafka, PostgresDatabase db,
            @TempDir Path temp) throws Exception {
        for (var topic : Topics.all()) {
            kafka.createTopic(topic.name(), 2);
        }
        try (ProviderEmulator emulator = ProviderEmulator.start(EmulatorConfig.defaults()
                .withSpeed(EmulatorConfig.Speed.fast()).withDataDir(temp.resolve("emu")))) {
            Map<String, String> env = new HashMap<>();
            env.put("OFFPEAK_DB_URL", db.jdbcUrl());
            env.put("OFFPEAK_DB_USER", db.user());
            env.put("OFFPEAK_DB_PASSWORD", db.password());
            env.put("OFFPEAK_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
            env.put("OFFPEAK_RESULT_TICK", "100ms");
            env.put("OFFPEAK_RESULT_FIRST_POLL", "200ms");
            env.put("OFFPEAK_RESULT_POLL_MAX", "1s");
            env.put("OFFPEAK_RESULT_SPOOL_DIR", temp.resolve("spool").toString());
            env.put("OFFPEAK_OPENAI_BASE_URL", emulator.openAiBaseUrl());
            env.put("OFFPEAK_OPENAI_API_KEY", "emulator");
            env.put("OFFPEAK_ANTHROPIC_BASE_URL", emulator.anthropicBaseUrl());
            env.put("OFFPEAK_ANTHROPIC_API_KEY", "emulator");
            env.put("OFFPEAK_GEMINI_BASE_URL", emulator.geminiBaseUrl());
            env.put("OFFPEAK_GEMINI_API_KEY", "emulator");
            env.put("OFFPEAK_RESULT_HTTP_PORT", "0");
            Path tokens = temp.resolve("tokens.json");
            Files.writeString(tokens, "{\"tenants\":[{\"tenant\":\"acme\",\"token_sha256\":[\""
                    + Tenants.sha256Hex("acme-read-token") + "\"]},{\"tenant\":\"globex\",\"token_sha256\":[\""
                    + Tenants.sha256Hex("globex-read-token") + "\"]}]}");
            env.put("OFFPEAK_RESULT_TOKEN_FILE", tokens.toString());
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (ResultService service = ResultService.start(ResultConfig.fromEnv(env), registry)) {
                Instant now = Instant.now();
                PipelineFixture.publish(kafka, Topics.TASK_ACCEPTED.name(), Topics.BATCH_ITEMS.name(),
                        PipelineFixture.batch("b-svc-openai", PipelineFixture.OPENAI, 20, 3, now));
                PipelineFixture.publish(kafka, Topics.TASK_ACCEPTED.name(), Topics.BATCH_ITEMS.name(),
                        PipelineFixture.batch("b-svc-anthropic", PipelineFixture.ANTHROPIC, 10, 0, now));
                PipelineFixture.publish(kafka, Topics.TASK_ACCEPTED.name(), Topics.BATCH_ITEMS.name(),
                        PipelineFixture.batch("b-svc-gemini", PipelineFixture.GEMINI, 10, 1, now));
                Db sql = new Db(db.dataSource());
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                        assertThat(sql.queryOne("SELECT count(*) FROM tasks WHERE status = 'succeeded'",
                                rs -> rs.getLong(1)).orElseThrow()).isEqualTo(44));
                assertThat(sql.queryOne("SELECT count(*) FROM batches WHERE state = 'settled'", rs -> rs.getLong(1))
                        .orElseThrow()).isEqualTo(3);
                assertThat(registry.find("offpeak.result.lines.settled").counters().stream()
                        .mapToDouble(c -> c.count()).sum()).isEqualTo(40.0);
                assertThat(emulator.counters().batchesCreated(dev.offpeak.emulator.Provider.OPENAI)).isEqualTo(1);
                var events = kafka.readCommitted(Topics.TASK_COMPLETED.name(), 44, Duration.ofSeconds(30));
                assertThat(events.stream().map(e -> e.key()).distinct()).hasSize(44);
                for (var e : events) {
                    JsonNode event = Json.mapper().readTree(e.value());
                    assertThat(dev.offpeak.schemas.validation.SchemaValidator.get()
                            .validate(dev.offpeak.schemas.json.EventTypes.TASK_COMPLETED, event)).isEmpty();
                    assertThat(event.get("response").isObject()).as("body inlined: " + e.value()).isTrue();
                }
                // the relay's producer recorded every task that paid in the cost histogram (the duplicates cost nothing)
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(scraped(registry.scrape(), "offpeak_task_cost_usd_count{")).isEqualTo(40.0));
                readApiAnswersPerTenant(service.httpPort());
                readApiServesTheReportProgressAndOverviewsOfTheTokensTenant(service.httpPort(), sql);
                assertThat(registry.find(dev.offpeak.result.metrics.ResultMetrics.LOOP_FAILURES).counters())
                        .as("every loop's failure counter exists, and none failed").hasSize(9)
                        .allSatisfy(c -> assertThat(c.count()).isZero());
            }
        }
    }

    /** The sum of the values of the scraped series whose line starts with {@code prefix}. */
    private static double scraped(String scrape, String prefix) {
        return scrape.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
