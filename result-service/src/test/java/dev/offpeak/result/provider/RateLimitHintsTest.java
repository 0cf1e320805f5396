package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.Provider;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHintsTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private static HttpHeaders headers(Map<String, String> values) {
        return HttpHeaders.of(values.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> List.of(e.getValue()))), (a, b) -> true);
    }

    @Test
    void openAiHeadersGiveRemainingAndWhenEachLimitIsFullAgain() {
        RateLimitHints h = RateLimitHints.from(Provider.OPENAI, headers(Map.of(
                "x-ratelimit-limit-requests", "500", "x-ratelimit-remaining-requests", "499",
                "x-ratelimit-reset-requests", "120ms", "x-ratelimit-limit-tokens", "200000",
                "x-ratelimit-remaining-tokens", "198000", "x-ratelimit-reset-tokens", "6m0.5s")), NOW);
        assertThat(h).isEqualTo(new RateLimitHints(500, 499, NOW.plusMillis(120), 200_000, 198_000,
                NOW.plus(Duration.ofMinutes(6)).plusMillis(500)));
        assertThat(h.known()).isTrue();
    }

    @Test
    void anthropicHeadersGiveRequestsAndInputTokensWithRfc3339Resets() {
        RateLimitHints h = RateLimitHints.from(Provider.ANTHROPIC, headers(Map.of(
                "anthropic-ratelimit-requests-limit", "50", "anthropic-ratelimit-requests-remaining", "0",
                "anthropic-ratelimit-requests-reset", "2026-12-07T10:00:01.200Z",
                "anthropic-ratelimit-input-tokens-limit", "30000", "anthropic-ratelimit-input-tokens-remaining", "12000",
                "anthropic-ratelimit-input-tokens-reset", "2026-12-07T10:00:36Z",
                "anthropic-ratelimit-tokens-remaining", "1")), NOW);
        assertThat(h).isEqualTo(new RateLimitHints(50, 0, NOW.plusMillis(1200), 30_000, 12_000, NOW.plusSeconds(36)));
    }

    @Test
    void missingOrUnreadableValuesAreUnknownNeverGuessed() {
        assertThat(RateLimitHints.from(Provider.GEMINI, headers(Map.of("x-ratelimit-remaining-requests", "3")), NOW))
                .isEqualTo(RateLimitHints.NONE);
        RateLimitHints h = RateLimitHints.from(Provider.OPENAI, headers(Map.of(
                "x-ratelimit-remaining-requests", "many", "x-ratelimit-reset-requests", "soon",
                "x-ratelimit-remaining-tokens", "-4")), NOW);
        assertThat(h).isEqualTo(RateLimitHints.NONE);
        assertThat(h.known()).isFalse();
    }

    @Test
    void goDurationsAsOpenAiWritesThem() {
        assertThat(RateLimitHints.goDuration("1s")).contains(Duration.ofSeconds(1));
        assertThat(RateLimitHints.goDuration("6m0s")).contains(Duration.ofMinutes(6));
        assertThat(RateLimitHints.goDuration("1h2m3.25s")).contains(Duration.parse("PT1H2M3.25S"));
        assertThat(RateLimitHints.goDuration("17ms")).contains(Duration.ofMillis(17));
        assertThat(RateLimitHints.goDuration("250us")).contains(Duration.ofNanos(250_000));
        assertThat(RateLimitHints.goDuration("")).isEmpty();
        assertThat(RateLimitHints.goDuration("5")).isEmpty();
        assertThat(RateLimitHints.goDuration("1s later")).isEmpty();
        assertThat(RateLimitHints.goDuration("x1s")).isEmpty();
    }
}
