package dev.offpeak.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
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
        return read(key, fallback, lenient(Path::of), "must be a file path", p -> null);
    }

    /** Reports {@code key} unless {@code file} is a readable regular file; {@code what} says which file. */
    public void requireReadableFile(String key, Path file, String what) {
        if (file != null && (!Files.isRegularFile(file) || !Files.isReadable(file))) {
            problem(key, file, "must be a readable file (" + what + ")");
        }
    }

    public long longValue(String key, long fallback, long min, long max) {
        return read(key, fallback, lenient(Long::parseLong), "must be a whole number",
                n -> n < min ? "must be >= " + min : n > max ? "must be <= " + max : null);
    }

    public int intValue(String key, int fallback, int min, int max) {
        return (int) longValue(key, fallback, min, max);
    }

    public double fraction(String key, double fallback, double min, double max) {
        return read(key, fallback, lenient(Double::parseDouble), "must be a decimal number such as 0.05",
                d -> d >= min && d <= max ? null : "must be between " + min + " and " + max);
    }

    /** A duration in the {@link Durations} grammar, at least {@code min}. */
    public Duration duration(String key, Duration fallback, Duration min) {
        return duration(key, fallback, min, null);
    }

    /** A duration in the {@link Durations} grammar, within [{@code min}, {@code max}] ({@code max} null: none). */
    public Duration duration(String key, Duration fallback, Duration min, Duration max) {
        return read(key, fallback, Durations::parse, "must be " + Durations.GRAMMAR,
                d -> d.compareTo(min) < 0 ? "must be >= " + Durations.format(min)
                        : max != null && d.compareTo(max) > 0 ? "must be <= " + Durations.format(max) : null);
    }

    /** A byte size: plain bytes, or with KB/MB/GB (powers of 1000) or KiB/MiB/GiB (powers of 1024). */
    public long bytes(String key, long fallback, long min) {
        return read(key, fallback, EnvReader::toBytes, "must be a size such as 200MB, 256MiB or 2000000000",
                n -> n < min ? "must be >= " + min + " bytes" : null);
    }

    /** An absolute URL with a scheme and a host. */
    public URI url(String key, URI fallback) {
        return read(key, fallback, lenient(URI::create), "must be an absolute http(s) URL",
                u -> u.getScheme() != null && u.getHost() != null ? null : "must be an absolute http(s) URL");
    }

    /**
     * The value of {@code key} as {@code parse} reads it, or {@code fallback} when unset; a value
     * {@code parse} cannot read is reported with {@code form}, one {@code check} refuses (it returns
     * the rule broken, or null) with that rule.
     */
    private <T> T read(String key, T fallback, Function<String, Optional<T>> parse, String form,
            Function<T, String> check) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return fallback;
        }
        Optional<T> parsed = parse.apply(value.get());
        String broken = parsed.isEmpty() ? form : check.apply(parsed.get());
        if (broken != null) {
            problem(key, value.get(), broken);
            return fallback;
        }
        return parsed.get();
    }

    /** {@code parse} as a function that answers empty where {@code parse} throws. */
    private static <T> Function<String, Optional<T>> lenient(Function<String, T> parse) {
        return text -> {
            try {
                return Optional.of(parse.apply(text));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        };
    }

    private static Optional<Long> toBytes(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
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
            return Optional.of(Math.multiplyExact(Long.parseLong(m.group(1)), unit));
        } catch (ArithmeticException | NumberFormatException e) {
            return Optional.empty();
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
            Optional<Long> n = parts.length == 2 && !parts[0].isBlank() ? lenient(Long::parseLong).apply(parts[1].trim()) : Optional.empty();
            if (n.filter(x -> x >= min && x <= max).isPresent()) {
                result.put(parts[0].trim(), n.get());
            } else {
                problem(key, value.get(), rule);
            }
        }
        return result;
    }
}
