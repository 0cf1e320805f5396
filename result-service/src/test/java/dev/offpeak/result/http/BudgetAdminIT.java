package dev.offpeak.result.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.result.budget.Budget;
import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.tenants.Tenants;
import dev.offpeak.testsupport.PostgresDatabase;
import dev.offpeak.testsupport.RealPostgres;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budgets' admin API ({@code /v1/admin/budgets}, admin token) and the tenant's read
 * ({@code GET /v1/budgets}, tenant token) over a real database: create, list, replace and disable; every
 * bad field named in a 400; 401 and 403; an id of another tenant is a 409; a tenant sees only its own;
 * the admin token is in no answer.
 */
@RealPostgres
class BudgetAdminIT {
    private static final String ADMIN = "admin-token-for-budget-tests-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    private ReadApi api;
    private final List<String> bodies = new ArrayList<>();

    @AfterEach
    void stopAndCheckNoAnswerHeldTheAdminToken() {
        if (api != null) {
            api.close();
        }
        assertThat(bodies).isNotEmpty().noneMatch(b -> b.contains(ADMIN) || b.contains("admin-token"));
    }

    @Test
    void aBudgetIsCreatedListedReplacedAndDisabledWithItsStandingInExactDollars(PostgresDatabase db) throws Exception {
        start(db, Optional.of(ADMIN));
        HttpResponse<String> created = admin("PUT", "/v1/admin/budgets/acme-daily",
                "{\"tenant\":\"acme\",\"limit_usd\":\"25.00\",\"period\":\"day\",\"mode\":\"hard\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(created.body()).contains("\"thresholds\":[0.5,0.8,1]").contains("\"job_id\":null");
        JsonNode daily = json(created);
        assertThat(daily.path("budget_id").asText()).isEqualTo("acme-daily");
        assertThat(daily.path("tenant").asText()).isEqualTo("acme");
        assertThat(daily.path("period").asText()).isEqualTo("day");
        assertThat(daily.path("mode").asText()).isEqualTo("hard");
        assertThat(daily.path("limit_usd").asText()).isEqualTo("25.00");
        assertThat(daily.path("period_start").asText())
                .isIn(Budget.Period.DAY.start(Instant.now()).toString(), Budget.Period.DAY.start(Instant.now().minusSeconds(60)).toString());
        assertThat(List.of(daily.path("spent_usd").asText(), daily.path("reserved_usd").asText(), daily.path("left_usd").asText()))
                .containsExactly("0", "0", "25.00");

        HttpResponse<String> scoped = admin("PUT", "/v1/admin/budgets/acme.nightly~1", """
                {"tenant":"acme","limit_usd":12.5,"period":"none","mode":"soft","job_id":"nightly-7",
                 "metadata_key":"feature","metadata_value":"summaries","thresholds":[1.0,0.25,"0.9",0.25]}""");
        assertThat(scoped.statusCode()).as(scoped.body()).isEqualTo(200);
        assertThat(scoped.body()).as("ascending, each once").contains("\"thresholds\":[0.25,0.9,1]");
        JsonNode job = json(scoped);
        assertThat(job.path("limit_usd").asText()).isEqualTo("12.5");
        assertThat(job.path("job_id").asText()).isEqualTo("nightly-7");
        assertThat(job.path("metadata_key").asText() + "=" + job.path("metadata_value").asText())
                .isEqualTo("feature=summaries");
        assertThat(job.path("period_start").asText()).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(admin("PUT", "/v1/admin/budgets/globex-month",
                "{\"tenant\":\"globex\",\"limit_usd\":\"100\",\"period\":\"month\",\"mode\":\"hard\"}").statusCode())
                .isEqualTo(200);

        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().execute("""
                    INSERT INTO budget_charges (budget_id, period_start, tenant, task_id, request_id, batch_id,
                                                reserved_usd, spent_usd, state, reserved_at)
                    VALUES ('acme.nightly~1', 'epoch', 'acme', 't-1', 'r-1', 'b-1', 0, 2.500000000, 'settled', now()),
                           ('acme.nightly~1', 'epoch', 'acme', 't-2', 'r-2', 'b-1', 1.250000000, 0, 'reserved', now())""");
        }
        JsonNode all = json(admin("GET", "/v1/admin/budgets", null)).path("budgets");
        assertThat(ids(all)).containsExactly("acme-daily", "acme.nightly~1", "globex-month");
        JsonNode charged = all.get(1);
        assertThat(List.of(charged.path("spent_usd").asText(), charged.path("reserved_usd").asText(),
                charged.path("left_usd").asText())).containsExactly("2.500000000", "1.250000000", "8.750000000");
        assertThat(ids(json(admin("GET", "/v1/admin/budgets?tenant=acme", null)).path("budgets")))
                .containsExactly("acme-daily", "acme.nightly~1");

        HttpResponse<String> replaced = admin("PUT", "/v1/admin/budgets/acme-daily",
                "{\"tenant\":\"acme\",\"limit_usd\":\"30\",\"period\":\"month\",\"mode\":\"soft\",\"thresholds\":[]}");
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.body()).contains("\"thresholds\":[]");
        assertThat(json(replaced).path("limit_usd").asText()).isEqualTo("30");
        assertThat(json(replaced).path("mode").asText()).isEqualTo("soft");
        assertThat(ids(json(admin("GET", "/v1/admin/budgets", null)).path("budgets"))).hasSize(3);

        assertThat(admin("DELETE", "/v1/admin/budgets/acme-daily?tenant=globex", null).statusCode())
                .as("another tenant's budget").isEqualTo(404);
        HttpResponse<String> disabled = admin("DELETE", "/v1/admin/budgets/acme-daily?tenant=acme", null);
        assertThat(disabled.statusCode()).isEqualTo(204);
        assertThat(disabled.body()).isEmpty();
        assertThat(ids(json(admin("GET", "/v1/admin/budgets", null)).path("budgets")))
                .containsExactly("acme.nightly~1", "globex-month");
        HttpResponse<String> none = admin("DELETE", "/v1/admin/budgets/no-such?tenant=acme", null);
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(json(none).path("error").path("message").asText()).isEqualTo("no budget no-such of tenant acme");
        HttpResponse<String> noTenant = admin("DELETE", "/v1/admin/budgets/acme-daily", null);
        assertThat(noTenant.statusCode()).isEqualTo(400);
        assertThat(json(noTenant).path("error").path("message").asText()).startsWith("tenant: required");
    }

    @Test
    void everyBadFieldIsA400NamingItAndAllOfThemAtOnce(PostgresDatabase db) throws Exception {
        start(db, Optional.of(ADMIN));
        String ok = "\"tenant\":\"acme\",\"limit_usd\":\"5\",\"period\":\"day\",\"mode\":\"hard\"";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"tenant\":\"acme\",\"limit_usd\":\"-1\",\"period\":\"day\",\"mode\":\"hard\"}",
                "limit_usd: must be a non-negative decimal");
        cases.put("{\"tenant\":\"acme\",\"limit_usd\":\"lots\",\"period\":\"day\",\"mode\":\"hard\"}",
                "limit_usd: must be a non-negative decimal");
        cases.put("{\"tenant\":\"acme\",\"limit_usd\":true,\"period\":\"day\",\"mode\":\"hard\"}",
                "limit_usd: must be a non-negative decimal");
        cases.put("{\"tenant\":\"acme\",\"period\":\"day\",\"mode\":\"hard\"}", "limit_usd: required");
        cases.put("{\"tenant\":\"acme\",\"limit_usd\":\"5\",\"period\":\"week\",\"mode\":\"hard\"}",
                "period: must be day, month or none, was week");
        cases.put("{\"tenant\":\"acme\",\"limit_usd\":\"5\",\"mode\":\"hard\"}", "period: required");
        cases.put("{\"tenant\":\"acme\",\"limit_usd\":\"5\",\"period\":\"day\",\"mode\":\"strict\"}",
                "mode: must be hard, hold or soft, was strict");
        cases.put("{\"tenant\":\"acme\",\"limit_usd\":\"5\",\"period\":\"none\",\"mode\":\"hold\"}",
                "mode: hold waits for the next period: it needs period day or month");
        cases.put("{\"limit_usd\":\"5\",\"period\":\"day\",\"mode\":\"hard\"}", "tenant: required");
        cases.put("{\"tenant\":\"Acme Corp\",\"limit_usd\":\"5\",\"period\":\"day\",\"mode\":\"hard\"}", "tenant: must match");
        cases.put("{" + ok + ",\"job_id\":\"no spaces\"}", "job_id: must be a job id");
        cases.put("{" + ok + ",\"job_id\":7}", "job_id: must be a non-empty string or null");
        cases.put("{" + ok + ",\"metadata_key\":\"feature\"}", "metadata_value: required with metadata_key");
        cases.put("{" + ok + ",\"metadata_value\":\"x\"}", "metadata_key: required with metadata_value");
        cases.put("{" + ok + ",\"thresholds\":[0.5,0]}", "thresholds[1]: must be a number > 0 and <= 10");
        cases.put("{" + ok + ",\"thresholds\":[10.5]}", "thresholds[0]: must be a number > 0 and <= 10");
        cases.put("{" + ok + ",\"thresholds\":0.5}", "thresholds: must be an array");
        cases.put("{" + ok + ",\"limit\":\"5\"}", "limit: unknown field");
        cases.put("[1]", "body: must be a JSON object");
        cases.put("{\"tenant\":", "body: malformed JSON");
        cases.forEach((body, problem) -> {
            HttpResponse<String> answer = admin("PUT", "/v1/admin/budgets/b-1", body);
            assertThat(answer.statusCode()).as(body + " -> " + answer.body()).isEqualTo(400);
            JsonNode error = json(answer).path("error");
            assertThat(error.path("code").asText()).isEqualTo("invalid_body");
            assertThat(error.path("message").asText()).as(body).contains(problem);
            assertThat(error.path("problems").get(0).path("field").asText()).as(body)
                    .isEqualTo(problem.substring(0, problem.indexOf(':')));
        });

        HttpResponse<String> badId = admin("PUT", "/v1/admin/budgets/" + "x".repeat(129), "{" + ok + "}");
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(json(badId).path("error").path("message").asText()).startsWith("budget_id: must be 1 to 128 letters");

        HttpResponse<String> many = admin("PUT", "/v1/admin/budgets/b-1",
                "{\"tenant\":\"\",\"limit_usd\":\"-5\",\"period\":\"weekly\",\"mode\":\"\",\"thresholds\":[-1]}");
        assertThat(many.statusCode()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        json(many).path("error").path("problems").forEach(p -> fields.add(p.path("field").asText()));
        assertThat(fields).containsExactly("tenant", "limit_usd", "period", "mode", "thresholds[0]");
        assertThat(json(admin("GET", "/v1/admin/budgets", null)).path("budgets")).as("nothing was stored").isEmpty();
    }

    @Test
    void theAdminApiNeedsTheAdminTokenAndIsOffWithoutOne(PostgresDatabase db) throws Exception {
        start(db, Optional.of(ADMIN));
        String body = "{\"tenant\":\"acme\",\"limit_usd\":\"5\",\"period\":\"day\",\"mode\":\"hard\"}";
        for (String token : new String[] {null, "wrong-token", "acme-read-token", ADMIN + "x", ADMIN.substring(1)}) {
            HttpResponse<String> answer = send("PUT", "/v1/admin/budgets/b-1", token, body);
            assertThat(answer.statusCode()).as(String.valueOf(token)).isEqualTo(401);
            assertThat(json(answer).path("error").path("code").asText()).isEqualTo("unauthorized");
            assertThat(send("GET", "/v1/admin/budgets", token, null).statusCode()).isEqualTo(401);
            assertThat(send("DELETE", "/v1/admin/budgets/b-1?tenant=acme", token, null).statusCode()).isEqualTo(401);
        }
        assertThat(json(send("GET", "/v1/admin/budgets", null, null)).path("error").path("message").asText())
                .contains("Authorization: Bearer <admin token>");
        assertThat(send("GET", "/v1/budgets", ADMIN, null).statusCode()).as("the admin token is no tenant's").isEqualTo(401);
        assertThat(json(admin("GET", "/v1/admin/budgets", null)).path("budgets")).as("nothing was stored").isEmpty();
        api.close();

        start(db, Optional.empty());
        for (String token : new String[] {null, ADMIN}) {
            HttpResponse<String> off = send("GET", "/v1/admin/budgets", token, null);
            assertThat(off.statusCode()).isEqualTo(403);
            assertThat(json(off).path("error").path("code").asText()).isEqualTo("forbidden");
            assertThat(json(off).path("error").path("message").asText())
                    .isEqualTo("admin API disabled: set OFFPEAK_RESULT_ADMIN_TOKEN");
            assertThat(send("PUT", "/v1/admin/budgets/b-1", token, body).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void anIdTakenByAnotherTenantIsAConflictAndATenantSeesOnlyItsOwnBudgets(PostgresDatabase db) throws Exception {
        start(db, Optional.of(ADMIN));
        assertThat(admin("PUT", "/v1/admin/budgets/shared",
                "{\"tenant\":\"acme\",\"limit_usd\":\"5\",\"period\":\"day\",\"mode\":\"hard\"}").statusCode()).isEqualTo(200);
        assertThat(admin("PUT", "/v1/admin/budgets/globex-1",
                "{\"tenant\":\"globex\",\"limit_usd\":\"7\",\"period\":\"none\",\"mode\":\"soft\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> taken = admin("PUT", "/v1/admin/budgets/shared",
                "{\"tenant\":\"globex\",\"limit_usd\":\"50\",\"period\":\"day\",\"mode\":\"hard\"}");
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(json(taken).path("error").path("code").asText()).isEqualTo("conflict");
        assertThat(json(taken).path("error").path("message").asText()).contains("shared").contains("another tenant");

        HttpResponse<String> acme = send("GET", "/v1/budgets", "acme-read-token", null);
        assertThat(acme.statusCode()).isEqualTo(200);
        JsonNode acmeBudgets = json(acme).path("budgets");
        assertThat(ids(acmeBudgets)).containsExactly("shared");
        assertThat(acmeBudgets.get(0).path("limit_usd").asText()).as("the conflict changed nothing").isEqualTo("5");
        assertThat(ids(json(send("GET", "/v1/budgets", "globex-read-token", null)).path("budgets")))
                .containsExactly("globex-1");
        assertThat(send("GET", "/v1/budgets", null, null).statusCode()).isEqualTo(401);
        assertThat(json(send("GET", "/v1/budgets", "acme-read-token", null)).path("budgets").get(0).fieldNames())
                .toIterable().containsExactly("budget_id", "tenant", "job_id", "metadata_key", "metadata_value",
                        "period", "mode", "limit_usd", "thresholds", "period_start", "spent_usd", "reserved_usd",
                        "left_usd");
    }

    private void start(PostgresDatabase db, Optional<String> adminToken) throws IOException {
        Path tokens = temp.resolve("tokens.json");
        Files.writeString(tokens, "{\"tenants\":[{\"tenant\":\"acme\",\"token_sha256\":[\""
                + Tenants.sha256Hex("acme-read-token") + "\"]},{\"tenant\":\"globex\",\"token_sha256\":[\""
                + Tenants.sha256Hex("globex-read-token") + "\"]}]}");
        api = ReadApi.start("127.0.0.1", 0, new Db(db.dataSource()),
                Optional.of(Tenants.load(tokens, "OFFPEAK_RESULT_TOKEN_FILE")), adminToken,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> true);
    }

    private HttpResponse<String> admin(String method, String path, String body) {
        return send(method, path, ADMIN, body);
    }

    private HttpResponse<String> send(String method, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            bodies.add(answer.body());
            return answer;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> answer) {
        try {
            return Json.mapper().readTree(answer.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + answer.body(), e);
        }
    }

    private static List<String> ids(JsonNode budgets) {
        List<String> ids = new ArrayList<>();
        budgets.forEach(b -> ids.add(b.path("budget_id").asText()));
        return ids;
    }
}
