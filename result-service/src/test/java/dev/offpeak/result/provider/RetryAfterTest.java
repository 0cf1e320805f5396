package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.json.Json;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-08-20T10:00:00Z");

    private static HttpHeaders headers(Map<String, String> h) {
        return HttpHeaders.of(h.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> List.of(e.getValue()))), (a, b) -> true);
    }

    @Test
    void retryAfterMsWinsOverRetryAfterBecauseItIsMorePrecise() {
        assertThat(RetryAfter.fromHeaders(headers(Map.of("retry-after-ms", "1500", "retry-after", "2")), NOW))
                .contains(Duration.ofMillis(1500));
    }

    @Test
    void retryAfterInSecondsIncludingFractions() {
        assertThat(RetryAfter.fromHeaders(headers(Map.of("retry-after", "7")), NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.fromHeaders(headers(Map.of("retry-after", "0.25")), NOW)).contains(Duration.ofMillis(250));
    }

    @Test
    void retryAfterAsHttpDateIsMeasuredFromTheInjectedNow() {
        assertThat(RetryAfter.fromHeaders(headers(Map.of("retry-after", "Thu, 20 Aug 2026 10:00:30 GMT")), NOW))
                .contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.fromHeaders(headers(Map.of("retry-after", "Thu, 20 Aug 2026 09:00:00 GMT")), NOW))
                .contains(Duration.ZERO);
    }

    @Test
    void garbageHintsAreIgnored() {
        assertThat(RetryAfter.fromHeaders(headers(Map.of("retry-after", "soon", "retry-after-ms", "x")), NOW)).isEmpty();
        assertThat(RetryAfter.fromHeaders(headers(Map.of("retry-after", "1e400")), NOW)).isEmpty();
        assertThat(RetryAfter.fromHeaders(headers(Map.of()), NOW)).isEmpty();
    }

    @Test
    void googleRetryInfoInErrorDetails() throws Exception {
        // gemini-batch.md §7, the documented 429 body
        var body = Json.mapper().readTree("""
                {"error":{"code":429,"message":"You exceeded your current quota","status":"RESOURCE_EXHAUSTED",
                 "details":[{"@type":"type.googleapis.com/google.rpc.Help","links":[]},
                            {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}""");
        assertThat(RetryAfter.from(headers(Map.of()), body, NOW)).contains(Duration.ofSeconds(37));
        assertThat(RetryAfter.protoDuration("1.5s")).contains(Duration.ofMillis(1500));
        assertThat(RetryAfter.protoDuration("12")).isEmpty();
    }
}
