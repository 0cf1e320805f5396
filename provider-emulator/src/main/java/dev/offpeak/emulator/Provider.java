package dev.offpeak.emulator;

import java.util.Locale;

/** The three emulated providers; {@link #wireName()} is the name used in admin JSON and base paths. */
public enum Provider {
    OPENAI, ANTHROPIC, GEMINI;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Provider fromWire(String name) {
        for (Provider p : values()) {
            if (p.wireName().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown provider '" + name + "' (openai, anthropic, gemini)");
    }
}
