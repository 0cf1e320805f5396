package dev.offpeak.ingest.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values from an environment map and collects every bad one instead of stopping at the
 * first, all with the same wording: {@code Invalid value X for KEY: must be ...}. A bad value is
 * reported, never clamped; the returned default only lets reading continue.
 */
final class EnvReader {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    EnvReader(Map<String, String> env) {
        this.env = env;
    }

    List<String> problems() {
        return problems;
    }

    void problem(String key, String value, String rule) {
        problems.add("Invalid value " + value + " for " + key + ": " + rule);
    }

    String string(String key, String defaultValue) {
        String value = env.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value.isBlank()) {
            problem(key, "'" + value + "'", "must not be blank");
            return defaultValue;
        }
        return value.trim();
    }

    long longValue(String key, long defaultValue, long min, long max) {
        String raw = env.get(key);
        if (raw == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            problem(key, "'" + raw + "'", "must be an integer");
            return defaultValue;
        }
        if (value < min) {
            problem(key, raw.trim(), "must be >= " + min);
        } else if (value > max) {
            problem(key, raw.trim(), "must be <= " + max);
        }
        return value;
    }

    int intValue(String key, int defaultValue, int min, int max) {
        return (int) longValue(key, defaultValue, min, max);
    }

    /** Durations as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}; a bare number means milliseconds. */
    Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        String raw = env.get(key);
        if (raw == null) {
            return defaultValue;
        }
        Matcher m = DURATION.matcher(raw.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            problem(key, "'" + raw + "'", "must be a duration such as 500ms, 30s, 5m");
            return defaultValue;
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        Duration value = switch (unit) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofMillis(amount);
        };
        if (value.compareTo(min) < 0) {
            problem(key, raw.trim(), "must be >= " + format(min));
        } else if (value.compareTo(max) > 0) {
            problem(key, raw.trim(), "must be <= " + format(max));
        }
        return value;
    }

    Path path(String key, String defaultValue) {
        String raw = string(key, defaultValue);
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            problem(key, "'" + raw + "'", "must be a file path (" + e.getReason() + ")");
            return Path.of(defaultValue);
        }
    }

    void requireReadableFile(String key, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            problem(key, file.toString(), "must be a readable file (the bearer-token file, see README)");
        }
    }

    static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() + "s";
    }
}
