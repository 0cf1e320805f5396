package dev.offpeak.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys a configuration class declares and the keys a document lists, so a test per service
 * can hold the two equal: a key constant that the docs table misses (or a row for a key that no
 * longer exists) fails the build.
 */
public final class ConfigKeys {
    /** A whole key: upper case, digits and underscores, not ending in {@code _} (that is a prefix). */
    private static final Pattern KEY = Pattern.compile("[A-Z][A-Z0-9_]*[A-Z0-9]");
    private static final Pattern CODE = Pattern.compile("`([A-Z][A-Z0-9_{},]*)`");
    private static final Pattern BRACES = Pattern.compile("\\{([^}]*)}");

    private ConfigKeys() {}

    /** The values of {@code public static final String} fields of {@code type} that are whole keys. */
    public static Set<String> declared(Class<?> type) {
        Set<String> keys = new TreeSet<>();
        for (Field f : type.getFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == String.class) {
                try {
                    String value = (String) f.get(null);
                    if (value != null && KEY.matcher(value).matches()) {
                        keys.add(value);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read " + f, e);
                }
            }
        }
        return keys;
    }

    /** {@link #documented(String, String)} of a markdown file, such as a module's README. */
    public static Set<String> documented(Path markdown, String heading) {
        try {
            return documented(Files.readString(markdown), heading);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The keys in the first column of the tables under the heading {@code heading} (up to the next
     * heading of any level) of a markdown document: every {@code `KEY`} there, with
     * {@code {A,B}} expanded ({@code `OFFPEAK_{OPENAI,GEMINI}_API_KEY`} lists two keys).
     */
    public static Set<String> documented(String markdown, String heading) {
        Set<String> keys = new TreeSet<>();
        boolean inSection = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("#")) {
                inSection = line.replaceFirst("^#+\\s*", "").trim().equals(heading);
            } else if (inSection && line.startsWith("|")) {
                String[] cells = line.split("\\|");
                Matcher m = CODE.matcher(cells.length > 1 ? cells[1] : "");
                while (m.find()) {
                    expand(m.group(1)).stream().filter(k -> KEY.matcher(k).matches()).forEach(keys::add);
                }
            }
        }
        return keys;
    }

    private static List<String> expand(String pattern) {
        Matcher m = BRACES.matcher(pattern);
        if (!m.find()) {
            return List.of(pattern);
        }
        List<String> out = new ArrayList<>();
        for (String choice : m.group(1).split(",")) {
            out.addAll(expand(pattern.substring(0, m.start()) + choice.trim() + pattern.substring(m.end())));
        }
        return out;
    }
}
