package dev.offpeak.schemas.pricing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The mode a task, tenant or lane asks its lines to run in: one of the three {@link Mode}s a line
 * can run in, or {@code auto} (the cheapest mode expected to meet the deadline, chosen per batch by
 * result-service). What a line is priced at is always the {@link Mode} it ran in, never this.
 */
public enum RequestedMode {
    BATCH("batch"),
    FLEX("flex"),
    SYNC("sync"),
    AUTO("auto");

    private final String id;

    RequestedMode(String id) {
        this.id = id;
    }

    /** The lower-case id used in events, configuration, output and storage. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The mode itself when it is one a line can run in; empty for {@code auto}. */
    public Optional<Mode> fixed() {
        return this == AUTO ? Optional.empty() : Optional.of(Mode.of(id));
    }

    /** The requested mode named {@code id} (case ignored); an unknown id is an error naming the known ones. */
    @JsonCreator
    public static RequestedMode of(String id) {
        if (id != null) {
            String wanted = id.trim().toLowerCase(Locale.ROOT);
            for (RequestedMode m : values()) {
                if (m.id.equals(wanted)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("unknown mode '" + id + "': must be one of "
                + Arrays.stream(values()).map(RequestedMode::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
