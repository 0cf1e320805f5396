package dev.offpeak.result.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sends one request and classifies its answer once, for every client: 2xx → {@link Outcome.Ok};
 * 408, 429, 5xx, timeouts and connection errors → {@link Outcome.RetryLater} with the provider's
 * retry hint; every other status → {@link Outcome.Failed}. Reasons carry the provider's error type
 * and message with anything key-like removed, so they can be logged and stored.
 */
final class HttpCalls implements AutoCloseable {
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final int MAX_REASON = 500;
    private static final int MAX_ERROR_BODY = 64 * 1024;
    /** Providers echo parts of a wrong key (OpenAI: "Incorrect API key provided: sk-abc***wxyz"). */
    private static final Pattern KEY_LIKE = Pattern.compile("\\b(sk-[A-Za-z0-9_\\-*.]{3,}|AIza[0-9A-Za-z_\\-]{8,})");

    private final Provider provider;
    private final ProviderEndpoint endpoint;
    private final Map<String, String> authHeaders;
    private final InstantSource clock;
    private final HttpClient http;

    HttpCalls(Provider provider, ProviderEndpoint endpoint, Map<String, String> authHeaders, InstantSource clock) {
        this.provider = provider;
        this.endpoint = endpoint;
        this.authHeaders = Map.copyOf(authHeaders);
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(endpoint.timeouts().connect())
                // plain http is the emulator: skip the h2c upgrade dance; real providers negotiate h2 by ALPN
                .version("http".equals(endpoint.baseUrl().getScheme()) ? HttpClient.Version.HTTP_1_1
                        : HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The answer of a successful JSON call. */
    record Answer(int status, HttpHeaders headers, JsonNode body) {}

    @FunctionalInterface
    interface LineHandler {
        void accept(JsonNode line) throws IOException;
    }

    ProviderEndpoint endpoint() {
        return endpoint;
    }

    /** A JSON call to {@code baseUrl + path} with the call timeout. */
    HttpRequest.Builder call(String path) {
        return request(endpoint.resolve(path), endpoint.timeouts().call());
    }

    /** An upload or download with the transfer timeout. */
    HttpRequest.Builder transfer(URI uri) {
        return request(uri, endpoint.timeouts().transfer());
    }

    private HttpRequest.Builder request(URI uri, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        // the key goes only to the configured origin, never to a URL some answer pointed us to elsewhere
        if (endpoint.sameOrigin(uri)) {
            authHeaders.forEach(b::header);
        }
        return b;
    }

    static HttpRequest.BodyPublisher json(JsonNode body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    Outcome<JsonNode> json(String operation, HttpRequest request) {
        return send(operation, request).map(Answer::body);
    }

    /** One request and its whole answer; an I/O failure or an interrupt is the caller's RetryLater. */
    private Outcome<HttpResponse<byte[]>> exchange(String operation, HttpRequest request) {
        try {
            return Outcome.ok(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            return ioFailure(operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.RetryLater<>(null, describe(operation) + ": interrupted", 0);
        }
    }

    /** Sends a call whose 2xx answer is JSON (an empty body reads as {@code {}}). */
    Outcome<Answer> send(String operation, HttpRequest request) {
        Outcome<HttpResponse<byte[]>> exchanged = exchange(operation, request);
        if (!(exchanged instanceof Outcome.Ok<HttpResponse<byte[]>> ok)) {
            return exchanged.map(r -> null);
        }
        HttpResponse<byte[]> resp = ok.value();
        if (resp.statusCode() / 100 != 2) {
            return classify(operation, resp.statusCode(), resp.headers(),
                    new String(resp.body(), 0, Math.min(resp.body().length, MAX_ERROR_BODY), StandardCharsets.UTF_8));
        }
        try {
            JsonNode body = resp.body().length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(resp.body());
            return Outcome.ok(new Answer(resp.statusCode(), resp.headers(), body));
        } catch (IOException e) {
            // a 2xx that is not JSON comes from something in between (proxy, truncation): try again
            return new Outcome.RetryLater<>(null, describe(operation) + ": HTTP " + resp.statusCode()
                    + " with a body that is not JSON", resp.statusCode());
        }
    }

    /**
     * A call whose answer is the provider's verdict on one request: 2xx and the non-retryable 4xx
     * both come back as an {@link Answer} (status and JSON body, {@code {}} if the body is not JSON),
     * so a refusal can be recorded as that request's result; 408, 429 and 5xx are RetryLater.
     */
    Outcome<Answer> verdict(String operation, HttpRequest request) {
        Outcome<HttpResponse<byte[]>> exchanged = exchange(operation, request);
        if (!(exchanged instanceof Outcome.Ok<HttpResponse<byte[]>> ok)) {
            return exchanged.map(r -> null);
        }
        HttpResponse<byte[]> resp = ok.value();
        String text = new String(resp.body(), 0, Math.min(resp.body().length, MAX_ERROR_BODY), StandardCharsets.UTF_8);
        if (retryable(resp.statusCode())) {
            return classify(operation, resp.statusCode(), resp.headers(), text);
        }
        JsonNode body = parseQuietly(text);
        if (body == null && resp.statusCode() / 100 == 2) {
            // a 2xx that is not JSON comes from something in between (proxy, truncation): try again
            return new Outcome.RetryLater<>(null, describe(operation) + ": HTTP " + resp.statusCode()
                    + " with a body that is not JSON", resp.statusCode());
        }
        return Outcome.ok(new Answer(resp.statusCode(), resp.headers(), body == null ? MAPPER.createObjectNode() : body));
    }

    /**
     * Streams a JSONL answer line by line to {@code handler} without holding the file. A broken
     * transfer is RetryLater (settlement is idempotent per line, so re-reading is safe); a line
     * that is not JSON is Failed, since reading it again gives the same line. An exception of the
     * handler is the caller's own and is rethrown, not classified.
     */
    Outcome<Void> lines(String operation, HttpRequest request, LineHandler handler) {
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return ioFailure(operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.RetryLater<>(null, describe(operation) + ": interrupted", 0);
        }
        try (InputStream in = resp.body();
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            if (resp.statusCode() / 100 != 2) {
                return classify(operation, resp.statusCode(), resp.headers(), readBounded(in));
            }
            long lineNo = 0;
            while (true) {
                String raw;
                try {
                    raw = reader.readLine();
                } catch (IOException e) {
                    return ioFailure(operation, e);
                }
                if (raw == null) {
                    return Outcome.ok(null);
                }
                lineNo++;
                if (raw.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(raw);
                } catch (JsonProcessingException e) {
                    return new Outcome.Failed<>(describe(operation) + ": line " + lineNo + " is not JSON",
                            resp.statusCode());
                }
                try {
                    handler.accept(node);
                } catch (IllegalArgumentException e) {
                    return new Outcome.Failed<>(truncate(describe(operation) + ": line " + lineNo + ": "
                            + redact(e.getMessage())), resp.statusCode());
                }
            }
        } catch (IOException e) {
            // thrown by the handler (the sink) or by closing the stream: not the provider's failure
            throw new UncheckedIOException(e);
        }
    }

    <T> Outcome<T> classify(String operation, int status, HttpHeaders headers, String body) {
        JsonNode json = parseQuietly(body);
        String reason = truncate(describe(operation) + ": HTTP " + status + errorText(json));
        if (retryable(status)) {
            Duration after = RetryAfter.from(headers, json, clock.instant()).orElse(null);
            return new Outcome.RetryLater<>(after, reason, status);
        }
        return new Outcome.Failed<>(reason, status);
    }

    static boolean retryable(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    private <T> Outcome<T> ioFailure(String operation, IOException e) {
        String what = e instanceof HttpTimeoutException ? "timed out"
                : e instanceof ConnectException ? "could not connect"
                : "I/O error " + e.getClass().getSimpleName();
        String msg = e.getMessage() == null ? "" : ": " + redact(e.getMessage());
        return new Outcome.RetryLater<>(null, truncate(describe(operation) + ": " + what + msg), 0);
    }

    /** " (type): message" from any of the three providers' error envelopes. */
    private String errorText(JsonNode json) {
        JsonNode err = json == null ? null : json.get("error");
        if (err == null || !err.isObject()) {
            return "";
        }
        String code = firstText(err.get("code"), err.get("type"), err.get("status"));
        String message = err.path("message").asText("");
        return (code == null ? "" : " (" + code + ")") + (message.isEmpty() ? "" : ": " + redact(message));
    }

    private static String firstText(JsonNode... nodes) {
        for (JsonNode n : nodes) {
            if (n != null && n.isTextual() && !n.asText().isEmpty()) {
                return n.asText();
            }
        }
        return null;
    }

    /** Removes the configured key and anything shaped like a provider key. */
    String redact(String text) {
        if (text == null) {
            return "";
        }
        return KEY_LIKE.matcher(text.replace(endpoint.apiKey(), "****")).replaceAll("****");
    }

    private String describe(String operation) {
        return provider.id() + " " + operation;
    }

    private static JsonNode parseQuietly(String body) {
        try {
            return body == null || body.isBlank() ? null : MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The start of an error body; a body cut short still gets classified by its status. */
    private static String readBounded(InputStream in) {
        try {
            return new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String truncate(String s) {
        return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON) + "…";
    }

    @Override
    public void close() {
        http.close();
    }
}
