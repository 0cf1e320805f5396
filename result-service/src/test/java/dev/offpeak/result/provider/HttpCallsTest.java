package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.Provider;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one place HTTP answers are classified; every status class, once. */
class HttpCallsTest {
    private static final String KEY = "sk-proj-abcdefghijklmnop1234";
    private final HttpCalls calls = new HttpCalls(Provider.OPENAI,
            new ProviderEndpoint(URI.create("http://localhost:9"), KEY, ProviderEndpoint.Timeouts.defaults()),
            Map.of("Authorization", "Bearer " + KEY), InstantSource.fixed(Instant.parse("2026-08-20T10:00:00Z")));

    @AfterEach
    void close() {
        calls.close();
    }

    private static HttpHeaders headers(String name, String value) {
        return HttpHeaders.of(Map.of(name, List.of(value)), (a, b) -> true);
    }

    private static final HttpHeaders NONE = HttpHeaders.of(Map.of(), (a, b) -> true);

    @Test
    void rateLimitsAndServerErrorsAreRetryLaterWithTheHint() {
        Outcome<Void> o = calls.classify("create_batch", 429, headers("retry-after", "3"),
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}");
        assertThat(o).isEqualTo(new Outcome.RetryLater<Void>(Duration.ofSeconds(3),
                "openai create_batch: HTTP 429 (rate_limit_exceeded): Rate limit reached", 429));
        for (int status : new int[] {408, 500, 502, 503, 504, 529}) {
            assertThat(calls.<Void>classify("get_batch", status, NONE, "")).isInstanceOf(Outcome.RetryLater.class);
        }
    }

    @Test
    void clientErrorsArePermanent() {
        for (int status : new int[] {400, 401, 403, 404, 409, 413, 422}) {
            assertThat(calls.<Void>classify("get_batch", status, NONE, "not json"))
                    .isEqualTo(new Outcome.Failed<Void>("openai get_batch: HTTP " + status, status));
        }
    }

    @Test
    void anthropicAndGeminiEnvelopesGiveTypeAndMessage() {
        assertThat(((Outcome.Failed<Void>) calls.<Void>classify("get_batch", 404, NONE,
                "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"Message Batch x not found.\"}}"))
                .reason()).endsWith("(not_found_error): Message Batch x not found.");
        assertThat(((Outcome.Failed<Void>) calls.<Void>classify("create_batch", 400, NONE,
                "{\"error\":{\"code\":400,\"message\":\"API key not valid.\",\"status\":\"INVALID_ARGUMENT\"}}"))
                .reason()).endsWith("(INVALID_ARGUMENT): API key not valid.");
    }

    @Test
    void echoedKeysNeverReachTheReason() {
        Outcome.Failed<Void> f = (Outcome.Failed<Void>) calls.<Void>classify("get_batch", 401, NONE,
                "{\"error\":{\"message\":\"Incorrect API key provided: sk-proj-****1234. Also " + KEY
                        + " and AIzaSyA1234567890abcdef\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
        assertThat(f.reason()).doesNotContain(KEY).doesNotContain("1234").doesNotContain("AIza").contains("****");
    }

    @Test
    void connectionErrorsAreRetryLaterWithoutAStatus() {
        // nothing listens on port 9
        Outcome<?> o = calls.json("get_batch", calls.call("/batches/x").GET().build());
        assertThat(o).isInstanceOfSatisfying(Outcome.RetryLater.class, r -> {
            assertThat(r.httpStatus()).isZero();
            assertThat(r.after()).isNull();
        });
    }
}
