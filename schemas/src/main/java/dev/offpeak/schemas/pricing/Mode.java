package dev.offpeak.schemas.pricing;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a line was (or would be) sent to its provider, which decides the rates it bills at. A line is
 * only ever priced in the mode it ran in: every pricing call names the mode, nothing defaults to one
 * (the two-argument {@link Cost#of(dev.offpeak.schemas.events.Usage, PriceEntry)} is BATCH, as it has
 * always been).
 */
public enum Mode {
    /** The provider's Batch API: list rates × the model's {@code batch_multiplier}, cached input per {@code batch_cached_input}. */
    BATCH("batch"),
    /**
     * A synchronous request with OpenAI's {@code service_tier: "flex"}: list rates × the model's
     * {@code flex_multiplier}, cached input per {@code flex_cached_input}. Only models whose registry
     * entry has a flex tier can run in it.
     */
    FLEX("flex"),
    /** A plain synchronous request at the standard tier: list rates, cache hits and writes at their synchronous rates. */
    SYNC("sync");

    private final String id;

    Mode(String id) {
        this.id = id;
    }

    /** The lower-case id used in configuration, output and storage: batch, flex, sync. */
    public String id() {
        return id;
    }

    /** The mode named {@code id} (case ignored); an unknown id is an error naming the known ones. */
    public static Mode of(String id) {
        if (id != null) {
            String wanted = id.trim().toLowerCase(Locale.ROOT);
            for (Mode m : values()) {
                if (m.id.equals(wanted)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("unknown mode '" + id + "': must be one of "
                + Arrays.stream(values()).map(Mode::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
