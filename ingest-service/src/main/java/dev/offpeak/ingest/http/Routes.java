package dev.offpeak.ingest.http;

import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.IngestMetrics.Endpoint;
import dev.offpeak.ingest.IngestMetrics;
import dev.offpeak.ingest.RejectedException;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.ingest.auth.Authenticator;
import dev.offpeak.ingest.kafka.KafkaHealth;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.tenants.TenantPolicy;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route of the service in one function, and every failure mapped to an answer in one place
 * ({@link HttpErrors}). Task endpoints are authenticated here, before their handler runs; health
 * and metrics are open (they reveal no tenant data).
 */
public final class Routes {
    private static final Logger log = LoggerFactory.getLogger(Routes.class);

    /** What a routed endpoint needs. */
    public record Parts(IngestApi api, Authenticator auth, KafkaHealth health, IngestMetrics metrics,
                        HttpErrors errors) {}

    @FunctionalInterface
    interface TenantHandler {
        void handle(Context ctx, TenantPolicy tenant) throws Exception;
    }

    private Routes() {}

    public static void routing(JavalinConfig config, Parts parts) {
        IngestApi api = parts.api();
        config.routes.post("/v1/tasks", guarded(parts, Endpoint.SINGLE, api::submitTask));
        config.routes.post("/v1/tasks:bulk", guarded(parts, Endpoint.BULK, api::submitBulk));
        config.routes.post("/v1/jobs/{job_id}/openai-batch", guarded(parts, Endpoint.OPENAI_BATCH, api::importOpenAiBatch));
        config.routes.post("/v1/jobs/{job_id}:seal", guarded(parts, Endpoint.SEAL, api::sealJob));
        config.routes.get("/health/live", ctx -> ctx.contentType(ContentTypes.JSON).result("{\"status\":\"up\"}"));
        config.routes.get("/health/ready", ctx -> ready(ctx, parts.health()));
        config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(parts.metrics().scrape()));

        HttpErrors errors = parts.errors();
        config.routes.exception(RejectedException.class, (e, ctx) -> errors.write(ctx, e.rejection()));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> errors.write(ctx, fromJavalin(e)));
        config.routes.exception(Exception.class, (e, ctx) -> {
            log.error("Unexpected failure on {} {}", ctx.method(), ctx.path(), e);
            errors.write(ctx, Rejection.of(ErrorCode.INTERNAL, "internal error; the service log has the details"));
        });
        config.routes.error(404, ctx -> errors.write(ctx, Rejection.of(ErrorCode.NOT_FOUND,
                "no such endpoint: " + ctx.method() + " " + ctx.path())));
        config.routes.error(405, ctx -> errors.write(ctx, Rejection.of(ErrorCode.METHOD_NOT_ALLOWED,
                ctx.method() + " is not allowed on " + ctx.path())));
    }

    /** Authenticates, then runs the handler; counts every request-level rejection by endpoint and reason. */
    private static Handler guarded(Parts parts, Endpoint endpoint, TenantHandler handler) {
        return ctx -> {
            try {
                TenantPolicy tenant = parts.auth().authenticate(ctx.header("Authorization"));
                handler.handle(ctx, tenant);
            } catch (RejectedException e) {
                parts.metrics().rejected(endpoint, e.rejection().code());
                throw e;
            }
        };
    }

    private static void ready(Context ctx, KafkaHealth health) {
        KafkaHealth.Status kafka = health.check();
        ctx.status(kafka.up() ? 200 : 503).contentType(ContentTypes.JSON).result(Json.writeBytes(
                Json.mapper().createObjectNode().put("status", kafka.up() ? "ready" : "not_ready")
                        .put("kafka", kafka.detail())));
    }

    private static Rejection fromJavalin(HttpResponseException e) {
        ErrorCode code = switch (e.getStatus()) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            default -> e.getStatus() < 500 ? ErrorCode.MALFORMED_JSON : ErrorCode.INTERNAL;
        };
        return Rejection.of(code, String.valueOf(e.getMessage()));
    }
}
