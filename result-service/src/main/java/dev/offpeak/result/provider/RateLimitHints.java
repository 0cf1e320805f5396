package dev.offpeak.result.provider;

import dev.offpeak.schemas.events.Provider;
import java.math.BigDecimal;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a provider's answer said of its rate limits, read from the headers it sends on every call:
 * OpenAI {@code x-ratelimit-limit|remaining|reset-requests} and {@code -tokens} (resets written as
 * {@code 1s}, {@code 250ms}, {@code 6m0s}: the time until the limit is back to full), Anthropic
 * {@code anthropic-ratelimit-requests-limit|remaining|reset} and {@code anthropic-ratelimit-input-tokens-*}
 * (resets as RFC 3339 times; input tokens are the ones Offpeak can estimate before a call, and the
 * limit that binds on prompts). Gemini sends none. A missing or unreadable value is unknown
 * ({@code -1} / null), never guessed.
 *
 * @param requestsLimit     requests the limit allows per its period, or -1
 * @param requestsRemaining requests left now, or -1
 * @param requestsFullAt    when the requests limit is full again, or null
 * @param tokensLimit       (input) tokens per period, or -1
 * @param tokensRemaining   (input) tokens left now, or -1
 * @param tokensFullAt      when the tokens limit is full again, or null
 */
public record RateLimitHints(long requestsLimit, long requestsRemaining, Instant requestsFullAt,
                             long tokensLimit, long tokensRemaining, Instant tokensFullAt) {
    public static final RateLimitHints NONE = new RateLimitHints(-1, -1, null, -1, -1, null);
    private static final Pattern GO_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|us|µs|ns|h|m|s)");

    /** Whether the answer said anything about the provider's limits. */
    public boolean known() {
        return requestsRemaining >= 0 || tokensRemaining >= 0;
    }

    /** The hints in {@code headers} of an answer of {@code provider} received at {@code now}. */
    public static RateLimitHints from(Provider provider, HttpHeaders headers, Instant now) {
        return switch (provider) {
            case OPENAI -> new RateLimitHints(number(headers, "x-ratelimit-limit-requests"),
                    number(headers, "x-ratelimit-remaining-requests"),
                    headers.firstValue("x-ratelimit-reset-requests").flatMap(RateLimitHints::goDuration)
                            .map(now::plus).orElse(null),
                    number(headers, "x-ratelimit-limit-tokens"), number(headers, "x-ratelimit-remaining-tokens"),
                    headers.firstValue("x-ratelimit-reset-tokens").flatMap(RateLimitHints::goDuration)
                            .map(now::plus).orElse(null));
            case ANTHROPIC -> new RateLimitHints(number(headers, "anthropic-ratelimit-requests-limit"),
                    number(headers, "anthropic-ratelimit-requests-remaining"),
                    instant(headers, "anthropic-ratelimit-requests-reset"),
                    number(headers, "anthropic-ratelimit-input-tokens-limit"),
                    number(headers, "anthropic-ratelimit-input-tokens-remaining"),
                    instant(headers, "anthropic-ratelimit-input-tokens-reset"));
            case GEMINI -> NONE;
        };
    }

    private static long number(HttpHeaders headers, String name) {
        return headers.firstValue(name).map(v -> {
            try {
                long n = Long.parseLong(v.trim());
                return n < 0 ? -1 : n;
            } catch (NumberFormatException e) {
                return -1L;
            }
        }).orElse(-1L);
    }

    private static Instant instant(HttpHeaders headers, String name) {
        return headers.firstValue(name).map(v -> {
            try {
                return Instant.parse(v.trim());
            } catch (DateTimeParseException e) {
                return null;
            }
        }).orElse(null);
    }

    /** A Go-style duration as OpenAI writes it ({@code 6m0s}, {@code 1.5s}, {@code 20ms}, {@code 1h2m}); empty if not one. */
    static Optional<Duration> goDuration(String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = GO_PART.matcher(v);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (m.find()) {
            if (m.start() != at) {
                return Optional.empty();
            }
            BigDecimal n = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "h" -> 3_600_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "s" -> 1_000_000_000L;
                case "ms" -> 1_000_000L;
                case "us", "µs" -> 1_000L;
                default -> 1L;
            };
            nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
            at = m.end();
        }
        if (at != v.length()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact()));
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }
}
