package dev.offpeak.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of every Offpeak setting and CLI option: a whole number followed by a
 * unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} ({@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 2h}, {@code 1d}; case-insensitive, a space between number and unit allowed),
 * or ISO-8601 ({@code PT30S}, {@code P1D}). A bare number is refused: {@code 30} could mean
 * milliseconds or seconds, and guessing wrong is a thousandfold error nobody notices; write
 * {@code 0s} for zero.
 */
public final class Durations {
    /** How the grammar is described in error messages and help texts. */
    public static final String GRAMMAR = "a duration such as 500ms, 30s, 5m, 2h, 1d or PT30S";

    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {}

    /** The duration {@code text} stands for, or empty when it does not follow the grammar. */
    public static Optional<Duration> parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(t);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return Optional.of(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
            return t.startsWith("p") ? Optional.of(Duration.parse(t.toUpperCase(Locale.ROOT))) : Optional.empty();
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The shortest exact form in the grammar: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 24h}. */
    public static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
