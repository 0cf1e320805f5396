package dev.offpeak.batcher;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values from environment variables and collects one problem per bad key instead of
 * stopping at the first, so an operator fixes a bad deployment in one round. A bad value is never
 * clamped: it is reported with its key and the rule it broke, and the default is returned only so
 * reading can go on.
 */
final class EnvReader {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|KB|MB|GB|KiB|MiB|GiB)");

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    EnvReader(Map<String, String> env) {
        this.env = env;
    }

    List<String> problems() {
        return problems;
    }

    private String raw(String key) {
        String value = env.get(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private void fail(String key, String value, String rule) {
        problems.add("Invalid value " + value + " for " + key + ": " + rule);
    }

    String string(String key, String fallback) {
        String value = raw(key);
        return value == null ? fallback : value;
    }

    Path path(String key, Path fallback) {
        String value = raw(key);
        return value == null ? fallback : Path.of(value);
    }

    long longValue(String key, long fallback, long min, long max) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max) {
                fail(key, value, "must be between " + min + " and " + max);
                return fallback;
            }
            return parsed;
        } catch (NumberFormatException e) {
            fail(key, value, "must be a whole number");
            return fallback;
        }
    }

    double fraction(String key, double fallback, double min, double max) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value);
            if (!(parsed >= min && parsed <= max)) {
                fail(key, value, "must be between " + min + " and " + max);
                return fallback;
            }
            return parsed;
        } catch (NumberFormatException e) {
            fail(key, value, "must be a decimal number such as 0.05");
            return fallback;
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 24h}, {@code 1d} or ISO-8601 ({@code PT24H}). */
    Duration duration(String key, Duration fallback, Duration min) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        Duration parsed = parseDuration(value);
        if (parsed == null) {
            fail(key, value, "must be a duration such as 500ms, 30s, 10m, 24h or PT24H");
            return fallback;
        }
        if (parsed.compareTo(min) < 0) {
            fail(key, value, "must be >= " + format(min));
            return fallback;
        }
        return parsed;
    }

    /** A byte size: plain bytes, or with KB/MB/GB (powers of 1000) or KiB/MiB/GiB (powers of 1024). */
    long bytes(String key, long fallback, long min) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            fail(key, value, "must be a size such as 200MB, 256MiB or 2000000000");
            return fallback;
        }
        long unit = switch (m.group(2)) {
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> 1L;
        };
        try {
            long parsed = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            if (parsed < min) {
                fail(key, value, "must be >= " + min + " bytes");
                return fallback;
            }
            return parsed;
        } catch (ArithmeticException | NumberFormatException e) {
            fail(key, value, "is too large");
            return fallback;
        }
    }

    /** {@code name=N,name=N}, each N within [min, max]. */
    Map<String, Long> longMap(String key, long min, long max) {
        Map<String, Long> result = new LinkedHashMap<>();
        String value = raw(key);
        if (value == null) {
            return result;
        }
        for (String entry : value.split(",")) {
            String[] parts = entry.trim().split("=", 2);
            if (parts.length != 2 || parts[0].isBlank()) {
                fail(key, value, "entry '" + entry.trim() + "' must be name=number");
                continue;
            }
            try {
                long n = Long.parseLong(parts[1].trim());
                if (n < min || n > max) {
                    fail(key, value, "entry '" + entry.trim() + "' must have a number between " + min + " and " + max);
                } else {
                    result.put(parts[0].trim(), n);
                }
            } catch (NumberFormatException e) {
                fail(key, value, "entry '" + entry.trim() + "' must be name=number");
            }
        }
        return result;
    }

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
