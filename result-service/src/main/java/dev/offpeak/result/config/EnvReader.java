package dev.offpeak.result.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads typed settings from a map of environment variables and collects every problem instead of
 * stopping at the first, each naming the key and the value ("Invalid value 0s for X: must be >= 1s").
 * Values are never clamped: a bad value is reported, not quietly replaced.
 */
public final class EnvReader {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    public EnvReader(Map<String, String> env) {
        this.env = env;
    }

    public List<String> problems() {
        return problems;
    }

    public String string(String key, String fallback) {
        String v = env.get(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public String required(String key) {
        String v = string(key, null);
        if (v == null) {
            problems.add("Missing value for " + key + ": required");
        }
        return v;
    }

    public int integer(String key, int fallback, int min) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(v);
            if (parsed < min) {
                problems.add("Invalid value " + v + " for " + key + ": must be >= " + min);
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add("Invalid value " + v + " for " + key + ": must be a whole number");
            return fallback;
        }
    }

    /** Durations as {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h} or ISO-8601 ({@code PT30S}). */
    public Duration duration(String key, Duration fallback, Duration min) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        Duration parsed = parseDuration(v);
        if (parsed == null) {
            problems.add("Invalid value " + v + " for " + key + ": must be a duration such as 500ms, 30s, 10m or 2h");
            return fallback;
        }
        if (parsed.compareTo(min) < 0) {
            problems.add("Invalid value " + v + " for " + key + ": must be >= " + format(min));
        }
        return parsed;
    }

    public URI url(String key, URI fallback) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            URI uri = URI.create(v);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("not absolute");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            problems.add("Invalid value " + v + " for " + key + ": must be an absolute http(s) URL");
            return fallback;
        }
    }

    public Path path(String key, Path fallback) {
        String v = string(key, null);
        return v == null ? fallback : Path.of(v);
    }

    /** {@code provider/model=tokens,provider/model=tokens}. */
    public Map<String, Long> quotas(String key) {
        Map<String, Long> quotas = new LinkedHashMap<>();
        String v = string(key, null);
        if (v == null) {
            return quotas;
        }
        for (String part : v.split(",")) {
            String[] kv = part.trim().split("=");
            try {
                if (kv.length != 2 || !kv[0].contains("/")) {
                    throw new NumberFormatException();
                }
                long tokens = Long.parseLong(kv[1].trim());
                if (tokens < 1) {
                    throw new NumberFormatException();
                }
                quotas.put(kv[0].trim(), tokens);
            } catch (NumberFormatException e) {
                problems.add("Invalid value " + part.trim() + " in " + key
                        + ": must be provider/model=tokens with tokens >= 1");
            }
        }
        return quotas;
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> null;
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }

    static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() + "s";
    }
}
