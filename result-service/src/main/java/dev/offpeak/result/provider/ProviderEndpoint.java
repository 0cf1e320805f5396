package dev.offpeak.result.provider;

import dev.offpeak.schemas.events.Provider;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where and how to reach one provider: base URL, API key and timeouts, built once from
 * configuration. The key lives only here and in the auth header of outgoing requests;
 * {@link #toString()} masks it so the record can be logged with the effective configuration.
 *
 * @param baseUrl  OpenAI: up to and including {@code /v1}; Anthropic and Gemini: the host (plus any
 *                 path prefix) — the client appends {@code /v1/messages/batches} or {@code /v1beta/...}
 * @param apiKey   the provider key; never logged, never put into an outcome or exception
 * @param timeouts connect / call / transfer timeouts
 */
public record ProviderEndpoint(URI baseUrl, String apiKey, Timeouts timeouts) {

    public static final URI OPENAI_DEFAULT = URI.create("https://api.openai.com/v1");
    public static final URI ANTHROPIC_DEFAULT = URI.create("https://api.anthropic.com");
    public static final URI GEMINI_DEFAULT = URI.create("https://generativelanguage.googleapis.com");

    /**
     * @param connect  TCP + TLS set-up
     * @param call     a JSON call, until the whole answer is in
     * @param transfer an upload (until the answer) or a download (until the headers); bodies of
     *                 hundreds of MB need far more than a JSON call
     */
    public record Timeouts(Duration connect, Duration call, Duration transfer) {
        public static Timeouts defaults() {
            return new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(10));
        }
    }

    /** Validates every field at once, naming each bad one; the key's value is never part of a message. */
    public ProviderEndpoint {
        List<String> bad = new ArrayList<>();
        if (baseUrl == null || baseUrl.getScheme() == null || baseUrl.getHost() == null
                || !(baseUrl.getScheme().equals("https") || baseUrl.getScheme().equals("http"))) {
            bad.add("Invalid value " + baseUrl + " for baseUrl: must be an absolute http(s) URL");
        }
        if (apiKey == null || apiKey.isBlank()) {
            bad.add("apiKey must be set (non-blank)");
        }
        if (timeouts == null) {
            bad.add("timeouts must be set");
        } else {
            positive(bad, "timeouts.connect", timeouts.connect());
            positive(bad, "timeouts.call", timeouts.call());
            positive(bad, "timeouts.transfer", timeouts.transfer());
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", bad));
        }
        // a trailing slash would double up when paths are appended
        String s = baseUrl.toString();
        baseUrl = s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : baseUrl;
    }

    /** The provider's real API with default timeouts. */
    public static ProviderEndpoint real(Provider provider, String apiKey) {
        return new ProviderEndpoint(defaultBaseUrl(provider), apiKey, Timeouts.defaults());
    }

    public static URI defaultBaseUrl(Provider provider) {
        return switch (Objects.requireNonNull(provider, "provider")) {
            case OPENAI -> OPENAI_DEFAULT;
            case ANTHROPIC -> ANTHROPIC_DEFAULT;
            case GEMINI -> GEMINI_DEFAULT;
        };
    }

    public ProviderEndpoint withTimeouts(Timeouts t) {
        return new ProviderEndpoint(baseUrl, apiKey, t);
    }

    /** {@code baseUrl + path}; path starts with {@code /}. */
    URI resolve(String path) {
        return URI.create(baseUrl + path);
    }

    /** Same scheme, host and port as the base URL: only such URLs may receive the key. */
    boolean sameOrigin(URI other) {
        return other != null && baseUrl.getScheme().equalsIgnoreCase(String.valueOf(other.getScheme()))
                && baseUrl.getHost().equalsIgnoreCase(String.valueOf(other.getHost()))
                && port(baseUrl) == port(other);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static void positive(List<String> bad, String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            bad.add("Invalid value " + d + " for " + name + ": must be > 0");
        }
    }

    @Override
    public String toString() {
        return "ProviderEndpoint[baseUrl=" + baseUrl + ", apiKey=****, timeouts=" + timeouts + "]";
    }
}
