package dev.offpeak.cli.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.cli.CliException;
import dev.offpeak.cli.http.Retry;
import dev.offpeak.cli.http.ServiceHttp;
import dev.offpeak.result.budget.Budget;
import dev.offpeak.result.budget.BudgetStore;
import dev.offpeak.result.read.JobCounts;
import dev.offpeak.result.read.JobReport;
import dev.offpeak.result.read.Overviews;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A deployment's result-service read API: {@code /v1/jobs/{id}/report}, {@code /v1/jobs/{id}/progress},
 * {@code /v1/status}, {@code /v1/jobs}, {@code /v1/costs}, {@code /v1/budgets}, with a bearer token that
 * decides the tenant. Reads are retried a few times when the service is briefly away.
 */
public final class ReadApiSource implements ReadSource {
    private final ServiceHttp http;
    private volatile String tenant;

    public ReadApiSource(String baseUrl, String token, Retry retry) {
        this.http = new ServiceHttp("the read API", "--read-url", baseUrl, token, retry);
    }

    @Override
    public String describe() {
        return "read API " + http.base() + (tenant == null ? "" : " (tenant " + tenant + ")");
    }

    @Override
    public JobCounts progress(String jobId) {
        return get("/v1/jobs/" + ServiceHttp.segment(jobId) + "/progress", JobCounts.class);
    }

    @Override
    public JobReport report(String jobId) {
        JobReport report = get("/v1/jobs/" + ServiceHttp.segment(jobId) + "/report", JobReport.class);
        tenant = report.tenant();
        return report;
    }

    @Override
    public Overviews.Status status() {
        Overviews.Status status = get("/v1/status", Overviews.Status.class);
        tenant = status.tenant();
        return status;
    }

    @Override
    public Overviews.Tenanted jobs() {
        return tenanted(get("/v1/jobs", Overviews.Tenanted.class));
    }

    @Override
    public Overviews.Tenanted costs(Overviews.CostsBy by, Optional<LocalDate> since) {
        return tenanted(get("/v1/costs?by=" + by.name() + since.map(day -> "&since=" + day).orElse(""),
                Overviews.Tenanted.class));
    }

    /** {@code GET /v1/budgets}: the token's tenant's standings, as the same table a database read prints. */
    @Override
    public Overviews.Tenanted budgets() {
        String path = "/v1/budgets";
        JsonNode answer = get(path, JsonNode.class);
        List<BudgetStore.Standing> standings = new ArrayList<>();
        try {
            for (JsonNode b : answer.path("budgets")) {
                Budget budget = new Budget(b.path("budget_id").asText(), b.path("tenant").asText(),
                        b.path("job_id").textValue(), b.path("metadata_key").textValue(),
                        b.path("metadata_value").textValue(), Budget.Period.of(b.path("period").asText()),
                        usd(b, "limit_usd"), Budget.Mode.of(b.path("mode").asText()), List.of(), true);
                standings.add(new BudgetStore.Standing(budget, Instant.parse(b.path("period_start").asText()),
                        usd(b, "spent_usd"), usd(b, "reserved_usd")));
            }
        } catch (RuntimeException e) {
            throw new CliException("the read API at " + http.base() + " sent an answer to " + path
                    + " this CLI cannot read (" + e.getMessage() + "): is it an Offpeak result-service of the same version?");
        }
        return new Overviews.Tenanted(tenant, Overviews.budgetTable(standings));
    }

    /** A dollar field: an exact decimal string. */
    private static BigDecimal usd(JsonNode b, String field) {
        return new BigDecimal(b.path(field).asText());
    }

    private Overviews.Tenanted tenanted(Overviews.Tenanted answer) {
        tenant = answer.tenant();
        return answer;
    }

    private <T> T get(String path, Class<T> type) {
        ServiceHttp.Answer answer = http.call("reading " + path, () -> http.get(path));
        if (answer.status() == 404 && answer.json() != null) {
            JsonNode error = answer.json().path("error");
            throw new CliException("the read API at " + http.base() + " answered 404 for " + path + ": "
                    + error.path("message").asText(answer.body()));
        }
        if (answer.status() != 200) {
            throw http.refusal(answer, path, "reading " + path);
        }
        try {
            return Json.mapper().readValue(answer.body(), type);
        } catch (IOException e) {
            throw new CliException("the read API at " + http.base() + " sent an answer to " + path
                    + " this CLI cannot read (" + e.getMessage() + "): is it an Offpeak result-service of the same version?");
        }
    }

    @Override
    public void close() {
        // HTTP connections are pooled by the JDK client and closed with it
    }
}
