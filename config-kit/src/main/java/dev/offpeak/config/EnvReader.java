package dev.offpeak.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values from an environment map and collects every bad one instead of stopping at the
 * first, so an operator fixes a deployment in one round. The rules are the same for every service:
 * <ul>
 *   <li>a blank value is the same as an unset one: the default applies;
 *   <li>values are trimmed;
 *   <li>a bad value is reported as {@code Invalid value X for KEY: rule} and never clamped; the
 *       default is returned only so reading can go on;
 *   <li>durations follow {@link Durations}.
 * </ul>
 * Call {@link #throwIfProblems(String)} when done.
 */
public final class EnvReader {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|KB|MB|GB|KiB|MiB|GiB)");

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    public EnvReader(Map<String, String> env) {
        this.env = env;
    }

    /** The one wording of a problem: {@code Invalid value X for KEY: rule}. */
    public static String problemText(String key, Object value, String rule) {
        return "Invalid value " + value + " for " + key + ": " + rule;
    }

    /** Records a problem found outside this reader (a cross-check between keys, a file's content). */
    public void problem(String key, Object value, String rule) {
        problems.add(problemText(key, value, rule));
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Throws one {@link ConfigException} listing every problem, if there is any. */
    public void throwIfProblems(String component) {
        if (!problems.isEmpty()) {
            throw new ConfigException(component, problems);
        }
    }

    /** The trimmed value, or empty when unset or blank. */
    public Optional<String> raw(String key) {
        String value = env.get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String string(String key, String fallback) {
        return raw(key).orElse(fallback);
    }

    /** A value without a default: unset (or blank) is a problem. */
    public String required(String key) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            problem(key, "(unset)", "required");
        }
        return value.orElse(null);
    }

    public Path path(String key, Path fallback) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Path.of(value.get());
        } catch (InvalidPathException e) {
            problem(key, value.get(), "must be a file path (" + e.getReason() + ")");
            return fallback;
        }
    }

    /** Reports {@code key} unless {@code file} is a readable regular file; {@code what} says which file. */
    public void requireReadableFile(String key, Path file, String what) {
        if (file != null && (!Files.isRegularFile(file) || !Files.isReadable(file))) {
            problem(key, file, "must be a readable file (" + what + ")");
        }
    }

    public long longValue(String key, long fallback, long min, long max) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.get());
            return inRange(key, value.get(), parsed, min, max) ? parsed : fallback;
        } catch (NumberFormatException e) {
            problem(key, value.get(), "must be a whole number");
            return fallback;
        }
    }

    public int intValue(String key, int fallback, int min, int max) {
        return (int) longValue(key, fallback, min, max);
    }

    private boolean inRange(String key, String value, long parsed, long min, long max) {
        if (parsed < min) {
            problem(key, value, "must be >= " + min);
        } else if (parsed > max) {
            problem(key, value, "must be <= " + max);
        }
        return parsed >= min && parsed <= max;
    }

    public double fraction(String key, double fallback, double min, double max) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value.get());
            if (!(parsed >= min && parsed <= max)) {
                problem(key, value.get(), "must be between " + min + " and " + max);
                return fallback;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problem(key, value.get(), "must be a decimal number such as 0.05");
            return fallback;
        }
    }

    /** A duration in the {@link Durations} grammar, at least {@code min}. */
    public Duration duration(String key, Duration fallback, Duration min) {
        return duration(key, fallback, min, null);
    }

    /** A duration in the {@link Durations} grammar, within [{@code min}, {@code max}] ({@code max} null: none). */
    public Duration duration(String key, Duration fallback, Duration min, Duration max) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return fallback;
        }
        Optional<Duration> parsed = Durations.parse(value.get());
        if (parsed.isEmpty()) {
            problem(key, value.get(), "must be " + Durations.GRAMMAR);
            return fallback;
        }
        Duration d = parsed.get();
        if (d.compareTo(min) < 0) {
            problem(key, value.get(), "must be >= " + Durations.format(min));
            return fallback;
        }
        if (max != null && d.compareTo(max) > 0) {
            problem(key, value.get(), "must be <= " + Durations.format(max));
            return fallback;
        }
        return d;
    }

    /** A byte size: plain bytes, or with KB/MB/GB (powers of 1000) or KiB/MiB/GiB (powers of 1024). */
    public long bytes(String key, long fallback, long min) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return fallback;
        }
        Matcher m = SIZE.matcher(value.get());
        if (!m.matches()) {
            problem(key, value.get(), "must be a size such as 200MB, 256MiB or 2000000000");
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
                problem(key, value.get(), "must be >= " + min + " bytes");
                return fallback;
            }
            return parsed;
        } catch (ArithmeticException | NumberFormatException e) {
            problem(key, value.get(), "is too large");
            return fallback;
        }
    }

    /** {@code name=N,name=N}, each N within [min, max]; a bad entry is reported and left out. */
    public Map<String, Long> longMap(String key, long min, long max) {
        Map<String, Long> result = new LinkedHashMap<>();
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return result;
        }
        for (String entry : value.get().split(",")) {
            String[] parts = entry.trim().split("=", 2);
            String rule = "entry '" + entry.trim() + "' must be name=number with a number between " + min + " and " + max;
            try {
                long n = parts.length == 2 && !parts[0].isBlank() ? Long.parseLong(parts[1].trim()) : min - 1;
                if (n < min || n > max) {
                    problem(key, value.get(), rule);
                } else {
                    result.put(parts[0].trim(), n);
                }
            } catch (NumberFormatException e) {
                problem(key, value.get(), rule);
            }
        }
        return result;
    }

    /** An absolute URL with a scheme and a host. */
    public URI url(String key, URI fallback) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            URI uri = URI.create(value.get());
            if (uri.getScheme() != null && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below, with the rule
        }
        problem(key, value.get(), "must be an absolute http(s) URL");
        return fallback;
    }
}
