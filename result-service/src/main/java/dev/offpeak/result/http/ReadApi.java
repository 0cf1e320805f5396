package dev.offpeak.result.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.budget.Budget;
import dev.offpeak.result.budget.BudgetStore;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.db.DbException;
import dev.offpeak.result.read.Overviews;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.tenants.TenantPolicy;
import dev.offpeak.schemas.tenants.Tenants;
import dev.offpeak.schemas.validation.Problem;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * result-service's HTTP side: health, Prometheus metrics, and the read API — a task by id (status,
 * result, cost), a job by id (progress and totals), a job's cost report and progress counts, and the
 * overview tables of {@code offpeak status}, {@code jobs} and {@code costs}, and the tenant's budgets —
 * under the same bearer-token tenant rules as ingest: a token sees only its own tenant's tasks, jobs
 * and budgets. The admin API ({@code /v1/admin/budgets}) sets and lists the budgets of every tenant
 * with the admin token instead ({@link AdminAuth}). Routing is this one function; every error leaves
 * through {@link ApiError} in the shared error format. Answers built from records are written with
 * the shared {@link Json} mapper (snake_case, exact money); budgets by {@link BudgetJson}.
 */
public final class ReadApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadApi.class);
    private static final String BEARER = "bearer ";

    private final Javalin server;

    private ReadApi(Javalin server) {
        this.server = server;
    }

    /**
     * @param tenants  the token file; empty: the read API answers 401 and says how to configure it
     * @param registry the registry scraped at /metrics
     */
    /** How long the readiness probe waits for the database before it says unreachable. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(2);

    public static ReadApi start(String host, int port, Db db, Optional<Tenants> tenants,
            PrometheusMeterRegistry registry) {
        return start(host, port, db, tenants, Optional.empty(), registry, () -> true);
    }

    /**
     * As above, with the admin API's token ({@code adminToken}; empty: the admin API answers 403), and
     * ready also needs {@code holdsIdentity}: a replica that lost its instance name to another process
     * claims no work and says so.
     */
    public static ReadApi start(String host, int port, Db db, Optional<Tenants> tenants, Optional<String> adminToken,
            PrometheusMeterRegistry registry, BooleanSupplier holdsIdentity) {
        ReadStore store = new ReadStore(db);
        BudgetStore budgets = new BudgetStore(db);
        AdminAuth admin = new AdminAuth(adminToken.orElse(null));
        InstantSource clock = InstantSource.system();
        Javalin server = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            cfg.routes.get("/health/live", ctx -> ctx.json(Json.mapper().createObjectNode().put("status", "up")));
            cfg.routes.get("/health/ready", ctx -> {
                boolean database = store.databaseAnswers(READY_TIMEOUT);
                boolean identity = holdsIdentity.getAsBoolean();
                boolean up = database && identity;
                ctx.status(up ? 200 : 503).json(Json.mapper().createObjectNode().put("status", up ? "up" : "down")
                        .put("database", database ? "up" : "unreachable")
                        .put("instance", identity ? "held" : "not held"));
            });
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(registry.scrape()));
            cfg.routes.get("/v1/tasks/{task_id}", ctx -> ctx.json(store.task(tenant(ctx, tenants), ctx.pathParam("task_id"))
                    .orElseThrow(() -> ApiError.notFound("no task " + ctx.pathParam("task_id") + " for this tenant"))));
            cfg.routes.get("/v1/tasks/{task_id}/response", ctx -> ctx.contentType("application/json").result(
                    store.response(tenant(ctx, tenants), ctx.pathParam("task_id")).orElseThrow(() -> ApiError.notFound(
                            "no response for task " + ctx.pathParam("task_id") + " (not succeeded, or not this tenant's)"))));
            cfg.routes.get("/v1/jobs/{job_id}", ctx -> ctx.json(store.job(tenant(ctx, tenants), ctx.pathParam("job_id"))
                    .orElseThrow(() -> ApiError.notFound("no job " + ctx.pathParam("job_id") + " for this tenant"))));
            cfg.routes.get("/v1/jobs/{job_id}/report", ctx -> json(ctx, store.report(tenant(ctx, tenants),
                    ctx.pathParam("job_id")).orElseThrow(() -> ApiError.notFound(
                            "no job " + ctx.pathParam("job_id") + " for this tenant"))));
            cfg.routes.get("/v1/jobs/{job_id}/progress", ctx -> json(ctx, store.progress(tenant(ctx, tenants),
                    ctx.pathParam("job_id"))));
            cfg.routes.get("/v1/jobs", ctx -> json(ctx, store.jobs(tenant(ctx, tenants))));
            cfg.routes.get("/v1/status", ctx -> json(ctx, store.status(tenant(ctx, tenants))));
            cfg.routes.get("/v1/costs", ctx -> {
                String tenant = tenant(ctx, tenants);
                json(ctx, store.costs(tenant, costsBy(ctx.queryParam("by")), since(ctx.queryParam("since"))));
            });
            cfg.routes.get("/v1/budgets", ctx -> json(ctx, BudgetJson.list(budgets.standings(tenant(ctx, tenants),
                    clock.instant()))));
            cfg.routes.get("/v1/admin/budgets", ctx -> {
                admin.check(ctx);
                json(ctx, BudgetJson.list(budgets.standings(ctx.queryParam("tenant"), clock.instant())));
            });
            cfg.routes.put("/v1/admin/budgets/{budget_id}", ctx -> {
                admin.check(ctx);
                json(ctx, BudgetJson.standing(put(budgets, BudgetJson.parse(ctx.pathParam("budget_id"), ctx.body()),
                        clock)));
            });
            cfg.routes.delete("/v1/admin/budgets/{budget_id}", ctx -> {
                admin.check(ctx);
                String id = ctx.pathParam("budget_id");
                String tenant = ctx.queryParam("tenant");
                if (tenant == null || tenant.isBlank()) {
                    throw ApiError.invalidParameter("tenant: required, the budget's tenant (?tenant=T)");
                }
                if (!budgets.disable(id, tenant, clock.instant())) {
                    throw ApiError.notFound("no budget " + id + " of tenant " + tenant);
                }
                ctx.status(204);
            });
            cfg.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage(),
                    e.problems()));
            cfg.routes.exception(DbException.class, (e, ctx) -> {
                if (e.unavailable()) {
                    log.warn("read API: the database is unavailable ({}) on {}", e.getMessage(), ctx.path());
                    error(ctx, 503, "database_unavailable", "the database is not reachable now; try again shortly",
                            List.of());
                } else {
                    log.error("read API failed on {}", ctx.path(), e);
                    error(ctx, 500, "internal", "internal error; see the service log", List.of());
                }
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                log.error("read API failed on {}", ctx.path(), e);
                error(ctx, 500, "internal", "internal error; see the service log", List.of());
            });
            cfg.routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    error(ctx, 404, "not_found", "no route " + ctx.method() + " " + ctx.path(), List.of());
                }
            });
        });
        server.start();
        return new ReadApi(server);
    }

    public int port() {
        return server.port();
    }

    private static String tenant(Context ctx, Optional<Tenants> tenants) {
        if (tenants.isEmpty()) {
            throw ApiError.unauthorized("the read API has no token file: set OFFPEAK_RESULT_TOKEN_FILE");
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            throw ApiError.unauthorized("send 'Authorization: Bearer <token>'");
        }
        return tenants.get().forToken(header.substring(BEARER.length()).trim()).map(TenantPolicy::tenant)
                .orElseThrow(() -> ApiError.unauthorized("unknown or revoked token"));
    }

    /** Stores {@code budget} and answers where it stands; 409 when its id is another tenant's. */
    private static BudgetStore.Standing put(BudgetStore budgets, Budget budget, InstantSource clock) {
        try {
            budgets.put(budget, clock.instant());
        } catch (IllegalArgumentException e) {
            throw ApiError.conflict(e.getMessage() + "; budget ids are unique across tenants, choose another");
        }
        return budgets.standings(budget.tenant(), clock.instant()).stream()
                .filter(s -> s.budget().budgetId().equals(budget.budgetId())).findFirst().orElseThrow();
    }

    private static void json(Context ctx, Object answer) {
        ctx.contentType("application/json").result(Json.write(answer));
    }

    private static Overviews.CostsBy costsBy(String by) {
        if (by == null || by.isBlank()) {
            return Overviews.CostsBy.tenant;
        }
        try {
            return Overviews.CostsBy.valueOf(by);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidParameter("Invalid value " + by + " for by: must be one of "
                    + Arrays.toString(Overviews.CostsBy.values()));
        }
    }

    private static Optional<LocalDate> since(String since) {
        if (since == null || since.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(since));
        } catch (DateTimeParseException e) {
            throw ApiError.invalidParameter("Invalid value " + since + " for since: must be a date, YYYY-MM-DD");
        }
    }

    private static void error(Context ctx, int status, String code, String message, List<Problem> problems) {
        ObjectNode body = Json.mapper().createObjectNode();
        ArrayNode list = body.putObject("error").put("code", code).put("message", message).putArray("problems");
        problems.forEach(p -> list.addObject().put("field", p.field()).put("message", p.message()));
        ctx.status(status).json(body);
    }

    @Override
    public void close() {
        server.stop();
    }
}
