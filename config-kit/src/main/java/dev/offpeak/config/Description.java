package dev.offpeak.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The effective configuration for the start-up log line: one {@code KEY=value} per line, secrets
 * masked. A value is a secret when its key says so ({@link #isSecret}) or when it is added with
 * {@link #secret}; a masked value shows only that it is set.
 */
public final class Description {
    public static final String MASK = "****";

    /** Passwords, secrets, JAAS configs, API keys and tokens by name; not TOKEN_FILE or TOKEN_LIMITS. */
    private static final Pattern SECRET = Pattern.compile(".*(PASSWORD|SECRET|JAAS|API_KEY|_TOKEN|_KEY)(_CONFIG)?");

    private final Map<String, String> lines = new LinkedHashMap<>();

    /** Adds {@code key=value}; masked when {@link #isSecret(String)} says the key names a secret. */
    public Description add(String key, Object value) {
        return isSecret(key) ? secret(key, value) : put(key, String.valueOf(value));
    }

    /** Adds {@code key=****} (or {@code key=(unset)} when there is no value). */
    public Description secret(String key, Object value) {
        return put(key, value == null || value.toString().isEmpty() ? "(unset)" : MASK);
    }

    private Description put(String key, String value) {
        lines.put(key, value);
        return this;
    }

    /**
     * Whether a setting of this name holds a secret: an environment key or a property name
     * ({@code sasl.jaas.config}, {@code ssl.key.password}), compared case-insensitively.
     */
    public static boolean isSecret(String name) {
        String key = name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        return SECRET.matcher(key).matches();
    }

    /** One {@code \n  KEY=value} per setting, in the order added. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        lines.forEach((k, v) -> out.append("\n  ").append(k).append('=').append(v));
        return out.toString();
    }
}
