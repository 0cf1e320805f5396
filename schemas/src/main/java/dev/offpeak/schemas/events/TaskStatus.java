package dev.offpeak.schemas.events;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Terminal status of a task; every accepted task reaches exactly one. */
public enum TaskStatus {
    SUCCEEDED,
    FAILED,
    EXPIRED,
    CANCELLED;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
