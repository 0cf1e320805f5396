package dev.offpeak.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.cli.CliException;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One Offpeak HTTP service as the CLI talks to it: a base URL, a bearer token, bounded retries, and
 * the outcome of every exchange classified once ({@link Answer} of any status, or {@link NoAnswer}
 * and why). The token goes into the Authorization header and nowhere else: no message, no log.
 */
public final class ServiceHttp {
    /** What one request came to. */
    public sealed interface Exchange permits Answer, NoAnswer {}

    /** The service answered; {@code retryAfter} is its Retry-After in seconds, when it sent one. */
    public record Answer(int status, String body, Optional<Duration> retryAfter) implements Exchange {
        /** Worth asking again: the service (or a proxy before it) is overloaded or briefly away. */
        public boolean retryable() {
            return status == 429 || status == 502 || status == 503 || status == 504;
        }

        /** The body as a JSON object, or null when it is not one. */
        public JsonNode json() {
            try {
                JsonNode node = Json.mapper().readTree(body);
                return node != null && node.isObject() ? node : null;
            } catch (IOException e) {
                return null;
            }
        }

        /** "HTTP 422: <the service's message>", short. */
        public String describe() {
            JsonNode json = json();
            String message = json == null ? body : json.path("error").path("message").asText(body);
            return "HTTP " + status + ": " + (message.length() > 300 ? message.substring(0, 300) + "..." : message);
        }
    }

    /** No answer: nothing listened ({@code UNREACHABLE}), the connection broke ({@code DROPPED}), or it took too long. */
    public record NoAnswer(Failure failure, String detail) implements Exchange {}

    public enum Failure { UNREACHABLE, UNKNOWN_HOST, DROPPED, TIMED_OUT }

    private final String service;
    private final String urlOption;
    private final URI base;
    private final String token;
    private final Retry retry;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param service   how messages name it: "ingest", "the read API"
     * @param urlOption the option (and variable) that set the URL, for the hint in errors
     */
    public ServiceHttp(String service, String urlOption, String baseUrl, String token, Retry retry) {
        URI uri;
        try {
            uri = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        } catch (IllegalArgumentException e) {
            throw new CliException("not a URL: " + baseUrl);
        }
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
            throw new CliException("not an http(s) URL: " + baseUrl + " (e.g. http://localhost:8080)");
        }
        this.service = service;
        this.urlOption = urlOption;
        this.base = uri;
        this.token = token;
        this.retry = retry;
    }

    public URI base() {
        return base;
    }

    public Retry retry() {
        return retry;
    }

    public static String segment(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public Exchange post(String path, String contentType, byte[] body, Duration timeout) {
        return send(request(path, timeout).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public Exchange get(String path) {
        return send(request(path, Duration.ofSeconds(60)).GET().build());
    }

    public Exchange put(String path, String contentType, byte[] body) {
        return send(request(path, Duration.ofSeconds(60)).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public Exchange delete(String path) {
        return send(request(path, Duration.ofSeconds(60)).DELETE().build());
    }

    /**
     * Sends until an answer not worth retrying comes back (returned, whatever its status), or the
     * retries are spent (a {@link CliException} saying what was tried).
     */
    public Answer call(String what, Supplier<Exchange> once) {
        long started = System.nanoTime();
        for (int retried = 0; ; retried++) {
            Exchange exchange = once.get();
            if (exchange instanceof Answer answer && !answer.retryable()) {
                return answer;
            }
            if (exchange instanceof NoAnswer none && none.failure() == Failure.UNKNOWN_HOST) {
                throw unreachable(none, retried + 1, started);
            }
            if (retried >= retry.retries()) {
                throw switch (exchange) {
                    case NoAnswer none -> unreachable(none, retried + 1, started);
                    case Answer answer -> new CliException(what + " at " + base + " failed " + (retried + 1)
                            + " time(s): " + answer.describe());
                };
            }
            retry.pause(retry.delay(retried + 1, exchange instanceof Answer a ? a.retryAfter() : Optional.empty()));
        }
    }

    /** The error for an answer the CLI cannot use: a refused token, a URL that is not this service, or the service's message. */
    public CliException refusal(Answer answer, String path, String what) {
        if (answer.status() == 401) {
            return new CliException(service + " at " + base + " rejected the token (401): check --token (or OFFPEAK_TOKEN)");
        }
        if (answer.status() == 404 && answer.json() == null) {
            return new CliException(base + path + " answered 404: is " + base + " the URL of " + service + "? (check "
                    + urlOption + ")");
        }
        return new CliException(what + " failed: " + service + " at " + base + " answered " + answer.describe());
    }

    /** The error when no answer came, after {@code attempts} attempts. */
    public CliException unreachable(NoAnswer none, int attempts, long startedNanos) {
        String tried = attempts == 1 ? "" : String.format(java.util.Locale.ROOT, " (%d attempts over %.1f s)", attempts,
                (System.nanoTime() - startedNanos) / 1e9);
        return new CliException(switch (none.failure()) {
            case UNREACHABLE -> "cannot connect to " + service + " at " + base + tried + ": is it running? check "
                    + urlOption;
            case UNKNOWN_HOST -> "cannot resolve the host of " + base + ": check " + urlOption;
            case DROPPED -> service + " at " + base + " dropped the connection" + tried + ": " + none.detail();
            case TIMED_OUT -> service + " at " + base + " did not answer in time" + tried;
        });
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Authorization", "Bearer " + token);
    }

    private Exchange send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(),
                    response.headers().firstValue("Retry-After").flatMap(ServiceHttp::seconds));
        } catch (HttpConnectTimeoutException e) {
            return new NoAnswer(Failure.UNREACHABLE, "connect timed out");
        } catch (HttpTimeoutException e) {
            return new NoAnswer(Failure.TIMED_OUT, "no answer within " + request.timeout().map(Duration::toSeconds)
                    .orElse(0L) + " s");
        } catch (IOException e) {
            return new NoAnswer(classify(e), String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while talking to " + service + " at " + base);
        }
    }

    /** The JDK wraps an unresolved host in ConnectExceptions, so the whole chain is looked at first. */
    private static Failure classify(IOException e) {
        Failure failure = Failure.DROPPED;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return Failure.UNKNOWN_HOST;
            }
            if (t instanceof ConnectException) {
                failure = Failure.UNREACHABLE;
            }
        }
        return failure;
    }

    private static Optional<Duration> seconds(String retryAfter) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(retryAfter.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
