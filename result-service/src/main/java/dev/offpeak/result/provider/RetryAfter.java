package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The delay a provider asked for before the next attempt, from whichever hint it sent: OpenAI's
 * {@code retry-after-ms} (most precise, so first), the standard {@code retry-after} in seconds or
 * as an HTTP date, or Google's {@code google.rpc.RetryInfo.retryDelay} in {@code error.details}.
 * Unparseable hints are ignored (the caller falls back to its {@link RetryPolicy}); negative
 * delays become zero.
 */
public final class RetryAfter {
    private static final String RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";

    private RetryAfter() {}

    /** The hint in the headers or the error body, headers first; empty when there is none. */
    public static Optional<Duration> from(HttpHeaders headers, JsonNode errorBody, Instant now) {
        Optional<Duration> h = fromHeaders(headers, now);
        return h.isPresent() ? h : retryInfo(errorBody);
    }

    public static Optional<Duration> fromHeaders(HttpHeaders headers, Instant now) {
        Optional<Duration> ms = headers.firstValue("retry-after-ms").flatMap(RetryAfter::millis);
        return ms.isPresent() ? ms : headers.firstValue("retry-after").flatMap(v -> header(v, now));
    }

    /** {@code retry-after}: delta-seconds (fractions tolerated) or an IMF-fixdate. */
    static Optional<Duration> header(String value, Instant now) {
        String v = value.trim();
        try {
            BigDecimal seconds = new BigDecimal(v);
            return Optional.of(nonNegative(millis(seconds.movePointRight(3))));
        } catch (NumberFormatException | ArithmeticException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(nonNegative(Duration.between(now, at)));
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    static Optional<Duration> millis(String value) {
        try {
            return Optional.of(nonNegative(millis(new BigDecimal(value.trim()))));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** {@code error.details[@type=RetryInfo].retryDelay}, a proto Duration such as {@code "37s"} or {@code "1.5s"}. */
    static Optional<Duration> retryInfo(JsonNode errorBody) {
        if (errorBody == null) {
            return Optional.empty();
        }
        for (JsonNode d : errorBody.path("error").path("details")) {
            if (RETRY_INFO.equals(d.path("@type").asText()) && d.path("retryDelay").isTextual()) {
                return protoDuration(d.get("retryDelay").asText());
            }
        }
        return Optional.empty();
    }

    static Optional<Duration> protoDuration(String value) {
        String v = value.trim();
        if (!v.endsWith("s")) {
            return Optional.empty();
        }
        try {
            BigDecimal seconds = new BigDecimal(v.substring(0, v.length() - 1));
            return Optional.of(nonNegative(millis(seconds.movePointRight(3))));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** Whole milliseconds; an absurdly large hint throws ArithmeticException and is ignored by the callers. */
    private static Duration millis(BigDecimal ms) {
        return Duration.ofMillis(ms.setScale(0, RoundingMode.DOWN).longValueExact());
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
