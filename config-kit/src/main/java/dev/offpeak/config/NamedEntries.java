package dev.offpeak.config;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Settings written as comma-separated {@code key=value} entries ({@code openai/o4-mini=auto, *=batch}):
 * split, each key checked against its pattern and each value read, every refusal naming its entry.
 */
public final class NamedEntries {
    private NamedEntries() {
    }

    /**
     * The entries of {@code text} (null or blank: none), keys and values stripped; later entries of a key
     * win. A key {@code key} does not match is an IllegalArgumentException saying the entry "is not
     * {@code shape}"; a value {@code value} refuses with an IllegalArgumentException is reported as
     * "entry 'X': " and its message.
     */
    public static <V> Map<String, V> parse(String text, Pattern key, String shape, Function<String, V> value) {
        Map<String, V> out = new TreeMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String entry : text.split(",")) {
            String[] kv = entry.strip().split("=", 2);
            if (kv.length != 2 || !key.matcher(kv[0].strip()).matches()) {
                throw new IllegalArgumentException("entry '" + entry.strip() + "' is not " + shape);
            }
            try {
                out.put(kv[0].strip(), value.apply(kv[1].strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("entry '" + entry.strip() + "': " + e.getMessage(), e);
            }
        }
        return out;
    }
}
