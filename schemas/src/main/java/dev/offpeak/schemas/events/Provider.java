package dev.offpeak.schemas.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** The batch providers Offpeak submits to; the wire name is the lowercase id. */
public enum Provider {
    OPENAI("openai"),
    ANTHROPIC("anthropic"),
    GEMINI("gemini");

    private static final Provider[] VALUES = values();

    private final String id;

    Provider(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    /** Looks a provider up by its wire id, e.g. {@code "openai"}. */
    public static Optional<Provider> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.toLowerCase(Locale.ROOT);
        // a plain loop, no stream: ingest looks up the provider of every task twice
        for (Provider provider : VALUES) {
            if (provider.id.equals(wanted)) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }

    @JsonCreator
    public static Provider of(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("unknown provider: " + id));
    }

    @Override
    public String toString() {
        return id;
    }
}
