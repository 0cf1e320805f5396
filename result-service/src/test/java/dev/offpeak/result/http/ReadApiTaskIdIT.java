package dev.offpeak.result.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.result.SeedRows;
import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.json.EventTypes;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.tenants.Tenants;
import dev.offpeak.schemas.validation.SchemaValidator;
import dev.offpeak.testsupport.PostgresDatabase;
import dev.offpeak.testsupport.RealPostgres;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/tasks/{task_id}} addresses every task id that {@code task.submitted} allows: the
 * pattern's whole alphabet, the longest id, and the shapes a path might read differently (dots,
 * colons, an id that looks like a timestamp or ends in a dot), each written into the path as is.
 */
@RealPostgres
class ReadApiTaskIdIT {
    /** Ids the pattern allows, chosen for what a URL path could mistake. */
    private static final List<String> IDS = List.of("a", "0", "t-1", "job42-0001", "tenant.job:line_7",
            "2026-12-04T02:00:00Z", "a..b", "a.", "x.json", "Z-_.:", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-",
            "x".repeat(128));

    @Test
    void everyIdThePatternAllowsIsAddressableAsOnePathSegment(PostgresDatabase db, @TempDir Path temp) throws Exception {
        Pattern allowed = Pattern.compile(taskIdPattern());
        StringBuilder requests = new StringBuilder();
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < IDS.size(); i++) {
            String id = IDS.get(i);
            assertThat(allowed.matcher(id).matches()).as(id + " is allowed by task.submitted").isTrue();
            requests.append("req-").append(i).append(",openai,/v1/chat/completions,gpt-4o-mini,lane,\"{}\",3,1,acme,")
                    .append(id).append(",2026-12-04T00:00:00Z\n");
            tasks.append("acme,").append(id).append(",req-").append(i)
                    .append(",openai,gpt-4o-mini,/v1/chat/completions,lane,false,10,0.00001,2026-12-04T00:00:00Z\n");
        }
        try (Connection c = db.dataSource().getConnection()) {
            SeedRows.copy(c, requests, "", tasks);
        }
        Path tokens = temp.resolve("tokens.json");
        Files.writeString(tokens, "{\"tenants\":[{\"tenant\":\"acme\",\"token_sha256\":[\""
                + Tenants.sha256Hex("acme-read-token") + "\"]}]}");
        try (ReadApi api = ReadApi.start("127.0.0.1", 0, new Db(db.dataSource()), Optional.of(Tenants.load(tokens, "OFFPEAK_RESULT_TOKEN_FILE")),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            HttpClient http = HttpClient.newHttpClient();
            for (String id : IDS) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + api.port() + "/v1/tasks/" + id))
                        .header("Authorization", "Bearer acme-read-token").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(id + ": " + answer.body()).isEqualTo(200);
                JsonNode task = Json.mapper().readTree(answer.body());
                assertThat(task.path("task_id").asText()).as(id).isEqualTo(id);
            }
        }
    }

    /** The task_id pattern, read from the schema itself so this test follows it. */
    private static String taskIdPattern() {
        return SchemaValidator.get().schemaDocument(EventTypes.TASK_SUBMITTED).at("/properties/task_id/pattern").asText();
    }
}
