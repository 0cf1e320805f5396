package dev.offpeak.emulator;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Timestamp formats: Anthropic RFC 3339 with microseconds, Gemini RFC 3339 with nanoseconds. */
public final class Times {
    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter NANOS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Times() {
    }

    public static String micros(Instant t) {
        return t == null ? null : MICROS.format(t);
    }

    public static String nanos(Instant t) {
        return t == null ? null : NANOS.format(t);
    }
}
