package dev.offpeak.schemas.events;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Who shares answers to identical requests: the tenant alone, or every tenant that opted in. */
public enum DedupScope {
    TENANT,
    GLOBAL;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
