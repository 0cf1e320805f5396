package dev.offpeak.emulator;

import java.util.List;
import java.util.function.Function;

/** Cursor pagination over a newest-first list, as the providers' list endpoints do it. */
public final class Paging {
    private Paging() {
    }

    /** A page and whether more items exist beyond it (in the direction of travel). */
    public record Page<T>(List<T> items, boolean hasMore) {
    }

    /** Items after the one with id {@code afterId} (or from the start), at most {@code limit}. */
    public static <T> Page<T> after(List<T> all, Function<T, String> id, String afterId, int limit) {
        int from = 0;
        if (afterId != null && !afterId.isEmpty()) {
            from = indexOf(all, id, afterId) + 1;
        }
        int to = Math.min(all.size(), from + limit);
        return new Page<>(all.subList(from, to), to < all.size());
    }

    /** Items just before the one with id {@code beforeId}, at most {@code limit}, in list order. */
    public static <T> Page<T> before(List<T> all, Function<T, String> id, String beforeId, int limit) {
        int to = indexOf(all, id, beforeId);
        int from = Math.max(0, to - limit);
        return new Page<>(all.subList(from, to), from > 0);
    }

    private static <T> int indexOf(List<T> all, Function<T, String> id, String wanted) {
        for (int i = 0; i < all.size(); i++) {
            if (id.apply(all.get(i)).equals(wanted)) {
                return i;
            }
        }
        throw new ApiException(400, "Cursor '" + wanted + "' does not name an object of this list.");
    }

    /** Parses a limit parameter; out-of-range values are a 400 naming the range. */
    public static int limit(String raw, int dflt, int max, String name) {
        if (raw == null || raw.isEmpty()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v >= 1 && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the 400 below, which names the allowed range
        }
        throw new ApiException(400, "Invalid '" + name + "': expected an integer between 1 and " + max
                + ", got '" + raw + "'.", name, "invalid_value");
    }
}
