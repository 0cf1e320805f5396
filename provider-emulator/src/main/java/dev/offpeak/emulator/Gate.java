package dev.offpeak.emulator;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * What every provider endpoint does before its own work, in one place: count the call, stamp the
 * provider's request-id header, apply an injected delay, check the key the way the provider does,
 * fail with an injected fault, and render any {@link ApiException} in the provider's error format.
 * Keys are compared, never logged.
 */
public final class Gate {
    private static final Logger LOG = LoggerFactory.getLogger(Gate.class);
    /** Context attribute holding this call's request id (Anthropic repeats it in error bodies). */
    public static final String REQUEST_ID = "emulator.request-id";
    /**
     * Context attribute holding the caller's cache scope: a hash of its API key. Providers share prompt
     * caches within an organization / project, which the emulator stands in for by the key; the key
     * itself is never stored.
     */
    public static final String CACHE_SCOPE = "emulator.cache-scope";
    /**
     * The most an error answer reads and drops of a request body first; a bigger body (a 256 MB
     * Anthropic batch answered 413) is cut off rather than read for seconds.
     */
    static final long DRAIN_LIMIT = 32L * 1024 * 1024;
    private final Provider provider;
    private final Emulation emu;

    public Gate(Provider provider, Emulation emu) {
        this.provider = provider;
        this.emu = emu;
    }

    public Handler wrap(String operation, Handler handler) {
        String op = Operations.require(provider, operation);
        return ctx -> {
            emu.counters().call(provider, op);
            String requestId = emu.ids().requestId();
            ctx.attribute(REQUEST_ID, requestId);
            ctx.header(provider == Provider.OPENAI ? "x-request-id" : provider == Provider.ANTHROPIC
                    ? "request-id" : "x-goog-request-id", requestId);
            Optional<Faults.CallFault> fault = emu.faults().take(provider, op);
            Duration delay = fault.map(Faults.CallFault::delay).orElse(null);
            if (delay != null && !delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            Duration retryAfter = fault.map(Faults.CallFault::retryAfter).orElse(null);
            try {
                ctx.attribute(CACHE_SCOPE, scopeOf(checkAuth(ctx)));
                if (fault.isPresent() && fault.get().fails()) {
                    int status = fault.get().status();
                    throw new ApiException(status, ErrorBodies.faultMessage(provider, status));
                }
                handler.handle(ctx);
            } catch (ApiException e) {
                drainBody(ctx);
                ErrorBodies.render(provider, ctx, e, e.retryAfter() != null ? e.retryAfter() : retryAfter, emu.now());
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", provider.wireName(), op, e);
                drainBody(ctx);
                ErrorBodies.render(provider, ctx, new ApiException(500, ErrorBodies.faultMessage(provider, 500)),
                        null, emu.now());
            }
        };
    }

    /**
     * Reads and drops what is left of a request body of a declared length up to {@link #DRAIN_LIMIT}
     * before an error answer. A client still sending an upload when the server answers and closes sees a reset
     * instead of the 401 or 429 (the JDK client: "header parser received no bytes"), which turns a
     * permanent error into a retryable one on the client's side; real providers' front ends read
     * the body first.
     */
    private static void drainBody(Context ctx) {
        long declared = ctx.contentLength();
        if (declared <= 0 || declared > DRAIN_LIMIT) {
            return; // nothing announced, or more than we would read: answer at once
        }
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] sink = new byte[64 * 1024];
            long left = declared;
            int n;
            while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // already read by the handler, or the client went away: nothing to drop
        }
    }

    /** The cache scope of the caller (see {@link #CACHE_SCOPE}); "" outside a gated call. */
    public static String scope(Context ctx) {
        String s = ctx.attribute(CACHE_SCOPE);
        return s == null ? "" : s;
    }

    static String scopeOf(String key) {
        return key == null ? "" : Ids.sha256Hex("emulator-cache-scope|" + key).substring(0, 16);
    }

    /** Checks the key the provider's way and returns it. */
    private String checkAuth(Context ctx) {
        String required = emu.config().requiredKey();
        switch (provider) {
            case OPENAI -> {
                String auth = ctx.header("Authorization");
                String key = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
                if (key == null || key.isEmpty()) {
                    throw new ApiException(401, "You didn't provide an API key. You need to provide your API key in an "
                            + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
                }
                if (required != null && !required.equals(key)) {
                    throw new ApiException(401, "Incorrect API key provided. You can find your API key at "
                            + "https://platform.openai.com/account/api-keys.", null, "invalid_api_key");
                }
                return key;
            }
            case ANTHROPIC -> {
                String key = ctx.header("x-api-key");
                String auth = ctx.header("Authorization");
                if ((key == null || key.isEmpty()) && auth != null && auth.startsWith("Bearer ")) {
                    key = auth.substring(7).trim();
                }
                if (key == null || key.isEmpty()) {
                    throw new ApiException(401, "x-api-key header is required");
                }
                if (required != null && !required.equals(key)) {
                    throw new ApiException(401, "invalid x-api-key");
                }
                String version = ctx.header("anthropic-version");
                if (version == null || version.isBlank()) {
                    throw new ApiException(400, "anthropic-version: header is required");
                }
                return key;
            }
            case GEMINI -> {
                String key = ctx.header("x-goog-api-key");
                if (key == null || key.isEmpty()) {
                    key = ctx.queryParam("key");
                }
                if (key == null || key.isEmpty()) {
                    throw new ApiException(403, "Method doesn't allow unregistered callers (callers without "
                            + "established identity). Please use API Key or other form of API consumer identity "
                            + "to call this API.");
                }
                if (required != null && !required.equals(key)) {
                    throw new ApiException(400, "API key not valid. Please pass a valid API key.", "API_KEY_INVALID",
                            null);
                }
                return key;
            }
            default -> throw new IllegalStateException("unknown provider " + provider);
        }
    }
}
