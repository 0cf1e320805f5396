package dev.offpeak.ingest.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.schemas.json.Json;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * The one place where rejections become HTTP answers: the status of every {@link ErrorCode}, and
 * the one error body used for every 4xx and 5xx:
 * {@code {"error": {"code", "message", "problems": [{"field", "message"}]}}}.
 */
public final class HttpErrors {
    private final Duration retryAfter;

    public HttpErrors(Duration retryAfter) {
        this.retryAfter = retryAfter;
    }

    public static int status(ErrorCode code) {
        return switch (code) {
            case MALFORMED_JSON, EMPTY_BODY, UNREADABLE_BODY -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case INVALID_TASK, ALL_LINES_REJECTED -> 422;
            case KAFKA_UNAVAILABLE -> 503;
            case INTERNAL -> 500;
        };
    }

    /** Writes {@code rejection} as the whole answer. */
    public void write(Context ctx, Rejection rejection) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.set("error", errorObject(rejection));
        write(ctx, rejection.code(), body);
    }

    /** Writes {@code body} (which already holds an "error" object) with the status and headers of {@code code}. */
    public void write(Context ctx, ErrorCode code, ObjectNode body) {
        if (code == ErrorCode.KAFKA_UNAVAILABLE) {
            ctx.header("Retry-After", String.valueOf(Math.max(1, retryAfter.toSeconds())));
        }
        if (code == ErrorCode.UNAUTHORIZED) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"offpeak\"");
        }
        ctx.status(status(code)).contentType(ContentTypes.JSON).result(Json.writeBytes(body));
    }

    public static ObjectNode errorObject(Rejection rejection) {
        ObjectNode error = Json.mapper().createObjectNode();
        error.put("code", rejection.code().id());
        error.put("message", rejection.message());
        ArrayNode problems = error.putArray("problems");
        rejection.problems().forEach(p -> problems.addObject().put("field", p.field()).put("message", p.message()));
        return error;
    }
}
