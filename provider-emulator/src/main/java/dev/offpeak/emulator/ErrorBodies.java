package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.time.Duration;
import java.time.Instant;

/** Error bodies and headers exactly as each provider sends them (shared/providers/*.md §7). */
public final class ErrorBodies {
    private ErrorBodies() {
    }

    public static void render(Provider provider, Context ctx, ApiException e, Duration retryAfter, Instant now) {
        ctx.status(e.status());
        ObjectNode body = switch (provider) {
            case OPENAI -> openAi(ctx, e, retryAfter);
            case ANTHROPIC -> anthropic(ctx, e, retryAfter, now);
            case GEMINI -> gemini(e, retryAfter);
        };
        ctx.contentType("application/json").result(Json.write(body));
    }

    private static ObjectNode openAi(Context ctx, ApiException e, Duration retryAfter) {
        String type = e.type() != null ? e.type() : switch (e.status()) {
            case 429 -> "requests";
            case 403 -> "permission_error";
            default -> e.status() >= 500 ? "server_error" : "invalid_request_error";
        };
        String code = e.code() != null ? e.code() : (e.status() == 429 ? "rate_limit_exceeded" : null);
        if (retryAfter != null) {
            ctx.header("retry-after", wholeSeconds(retryAfter));
            ctx.header("retry-after-ms", String.valueOf(retryAfter.toMillis()));
        }
        if (e.status() == 429 && ctx.attribute(SyncRateLimits.HEADERS_SENT) == null) {
            ctx.header("x-ratelimit-limit-requests", "500");
            ctx.header("x-ratelimit-remaining-requests", "0");
            ctx.header("x-ratelimit-reset-requests", (retryAfter == null ? 1 : retryAfter.toSeconds()) + "s");
        }
        ObjectNode err = Json.object();
        err.put("message", e.getMessage());
        err.put("type", type);
        err.put("param", e.param());
        err.put("code", code);
        ObjectNode body = Json.object();
        body.set("error", err);
        return body;
    }

    private static ObjectNode anthropic(Context ctx, ApiException e, Duration retryAfter, Instant now) {
        String type = e.code() != null ? e.code() : switch (e.status()) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 409 -> "conflict_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> e.status() >= 500 ? "api_error" : "invalid_request_error";
        };
        if (retryAfter != null) {
            ctx.header("retry-after", wholeSeconds(retryAfter));
        }
        if (e.status() == 429 && ctx.attribute(SyncRateLimits.HEADERS_SENT) == null) {
            ctx.header("anthropic-ratelimit-requests-limit", "50");
            ctx.header("anthropic-ratelimit-requests-remaining", "0");
            ctx.header("anthropic-ratelimit-requests-reset",
                    now.plus(retryAfter == null ? Duration.ofSeconds(1) : retryAfter).toString());
        }
        ObjectNode err = Json.object();
        err.put("type", type);
        err.put("message", e.getMessage());
        ObjectNode body = Json.object();
        body.put("type", "error");
        body.set("error", err);
        body.put("request_id", (String) ctx.attribute(Gate.REQUEST_ID));
        return body;
    }

    /** {@code retry-after} in whole seconds, rounded up: a wait of 300 ms is "1", never "0". */
    private static String wholeSeconds(Duration d) {
        long ms = Math.max(0, d.toMillis());
        return String.valueOf((ms + 999) / 1000);
    }

    private static ObjectNode gemini(ApiException e, Duration retryAfter) {
        String status = e.code() != null ? e.code() : switch (e.status()) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> "ABORTED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 501 -> "UNIMPLEMENTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> e.status() >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        };
        ObjectNode err = Json.object();
        err.put("code", e.status());
        err.put("message", e.getMessage());
        err.put("status", status);
        if (e.status() == 429) {
            var details = err.putArray("details");
            details.addObject().put("@type", "type.googleapis.com/google.rpc.Help")
                    .putArray("links").addObject()
                    .put("description", "Learn more about Gemini API quotas")
                    .put("url", "https://ai.google.dev/gemini-api/docs/rate-limits");
            if (retryAfter != null) {
                details.addObject().put("@type", "type.googleapis.com/google.rpc.RetryInfo")
                        .put("retryDelay", java.math.BigDecimal.valueOf(Math.max(0, retryAfter.toMillis()), 3)
                                .stripTrailingZeros().toPlainString() + "s");
            }
        } else if ("API_KEY_INVALID".equals(e.param())) {
            err.putArray("details").addObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
                    .put("reason", "API_KEY_INVALID").put("domain", "googleapis.com");
        }
        ObjectNode body = Json.object();
        body.set("error", err);
        return body;
    }

    /**
     * A catch-all registered after a provider's routes, so a path nothing else matched gets a 404 in
     * that provider's format instead of the server's plain-text page.
     */
    public static void notFoundUnder(RoutesConfig r, String prefix, Provider provider, Emulation emu) {
        Handler h = ctx -> render(provider, ctx, new ApiException(404, "Invalid URL (" + ctx.method().name() + " "
                + ctx.path() + ")"), null, emu.now());
        r.get(prefix + "/<rest>", h);
        r.post(prefix + "/<rest>", h);
        r.delete(prefix + "/<rest>", h);
    }

    /** The message an injected fault carries, in the provider's usual wording. */
    public static String faultMessage(Provider provider, int status) {
        return switch (status) {
            case 429 -> switch (provider) {
                case OPENAI -> "Rate limit reached for requests. Please try again later.";
                case ANTHROPIC -> "Number of request tokens has exceeded your rate limit. Please try again later.";
                case GEMINI -> "You exceeded your current quota, please check your plan and billing details. "
                        + "For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.";
            };
            case 529 -> "Overloaded";
            case 503 -> provider == Provider.GEMINI ? "The model is overloaded. Please try again later."
                    : "The server is overloaded or not ready yet.";
            default -> status >= 500
                    ? (provider == Provider.ANTHROPIC ? "Internal server error"
                    : provider == Provider.GEMINI ? "Internal error encountered."
                    : "The server had an error while processing your request. Sorry about that!")
                    : "Injected fault: HTTP " + status;
        };
    }
}
