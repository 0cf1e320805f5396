package dev.offpeak.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Automatic prefix caching as OpenAI and Gemini (implicit caching) describe it: a prompt whose start
 * matches a prompt seen recently, by the same caller and model, reads the shared prefix from the cache.
 *
 * <p>A prompt is remembered as a list of boundaries, each an offset (tokens for OpenAI, characters for
 * Gemini) and a running 64-bit hash of the prompt up to there; two prompts share a prefix up to a
 * boundary exactly when both have it with the same hash. That keeps a long prompt small (one hash per
 * block) with no cap on how long a shared prefix may be. Prompts are found by the hash at the
 * minimum cacheable length (the "routing" key, combined with the caller's scope, the model and any
 * cache key), and entries live on the emulator clock: they are forgotten after {@code idle} without a
 * hit, and at the latest {@code maxAge} after they were written. Lines are looked up at the instant
 * they finish on their batch's timeline, so caches are shared across batches of one caller.
 */
public final class PrefixStore {
    private static final int MAX_ROUTES = 1024;
    private static final int PER_ROUTE = 8;

    /** A prompt's boundaries, offsets ascending, and the prompt's full length in the same unit. */
    public record Prompt(long[] offsets, long[] hashes, long length) {
        int indexOf(long offset) {
            int i = java.util.Arrays.binarySearch(offsets, offset);
            return i >= 0 ? i : -1;
        }
    }

    private static final class Slot {
        final Prompt prompt;
        Instant writtenAt;
        Instant lastUsedAt;
        final Duration idle;
        final Duration maxAge;

        Slot(Prompt prompt, Instant at, Duration idle, Duration maxAge) {
            this.prompt = prompt;
            this.writtenAt = at;
            this.lastUsedAt = at;
            this.idle = idle;
            this.maxAge = maxAge;
        }

        boolean aliveAt(Instant t) {
            return !t.isBefore(writtenAt) && !t.isAfter(lastUsedAt.plus(idle)) && !t.isAfter(writtenAt.plus(maxAge));
        }

        /** Dead for good: past its time even seen from its latest use. */
        boolean goneAt(Instant t) {
            return t.isAfter(lastUsedAt.plus(idle)) || t.isAfter(writtenAt.plus(maxAge));
        }
    }

    private final Map<String, List<Slot>> routes = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, List<Slot>> eldest) {
            return size() > MAX_ROUTES;
        }
    };

    /**
     * The length of this prompt's prefix read from the cache at {@code t} (0, or at least {@code min}),
     * remembering the prompt for later ones. {@code route} names the caller, model and cache key.
     */
    public synchronized long lookupAndRemember(String route, Prompt p, long min, Instant t, Duration idle,
                                               Duration maxAge) {
        if (min <= 0) {
            return 0;
        }
        int at = p.indexOf(min);
        if (at < 0) {
            return 0;
        }
        String key = route + "|" + p.hashes()[at];
        List<Slot> entries = routes.computeIfAbsent(key, k -> new ArrayList<>());
        long best = 0;
        List<Slot> hits = new ArrayList<>();
        boolean covered = false;
        for (Iterator<Slot> it = entries.iterator(); it.hasNext(); ) {
            Slot e = it.next();
            if (e.goneAt(t) && !t.isBefore(e.lastUsedAt)) {
                it.remove();
                continue;
            }
            if (!e.aliveAt(t)) {
                continue;
            }
            long common = common(e.prompt, p);
            if (common >= min) {
                hits.add(e);
                best = Math.max(best, common);
            }
            covered |= common == lastOffset(p) && lastOffset(e.prompt) >= lastOffset(p);
        }
        for (Slot e : hits) {
            if (t.isAfter(e.lastUsedAt)) {
                e.lastUsedAt = t;
            }
        }
        if (!covered) {
            entries.add(new Slot(p, t, idle, maxAge));
            if (entries.size() > PER_ROUTE) {
                entries.removeFirst();
            }
        }
        return best;
    }

    public synchronized void clear() {
        routes.clear();
    }

    private static long lastOffset(Prompt p) {
        return p.offsets().length == 0 ? 0 : p.offsets()[p.offsets().length - 1];
    }

    /** The largest offset both prompts have with the same hash, before the first one they disagree on. */
    static long common(Prompt a, Prompt b) {
        int i = 0;
        int j = 0;
        long shared = 0;
        while (i < a.offsets().length && j < b.offsets().length) {
            long oa = a.offsets()[i];
            long ob = b.offsets()[j];
            if (oa < ob) {
                i++;
            } else if (ob < oa) {
                j++;
            } else {
                if (a.hashes()[i] != b.hashes()[j]) {
                    break;
                }
                shared = oa;
                i++;
                j++;
            }
        }
        return shared;
    }

    /**
     * Builds a {@link Prompt}: a running hash over what is added, with a boundary every {@code grid}
     * units, at {@code min}, and wherever {@link #mark()} is called (the end of a part or message).
     */
    public static final class Builder {
        private final long grid;
        private final long min;
        private final List<long[]> points = new ArrayList<>();
        private long h = 0xcbf29ce484222325L;
        private long offset;

        public Builder(long grid, long min) {
            this.grid = grid;
            this.min = min;
        }

        private void mix(long x) {
            h = (h ^ x) * 0x100000001b3L;
            h ^= h >>> 29;
        }

        /** One unit (a token id, or a character). */
        public Builder unit(int x) {
            mix(x);
            offset++;
            if (offset % grid == 0 || offset == min) {
                point();
            }
            return this;
        }

        public Builder tokens(int[] ids) {
            for (int id : ids) {
                unit(id);
            }
            return this;
        }

        public Builder text(String s) {
            for (int i = 0; i < s.length(); i++) {
                unit(s.charAt(i));
            }
            return this;
        }

        /** Mixes in something that is part of the prefix but takes no units (a role, a separator). */
        public Builder salt(String s) {
            mix(0x9e3779b97f4a7c15L);
            for (int i = 0; i < s.length(); i++) {
                mix(s.charAt(i) + 0x10000L);
            }
            return this;
        }

        /** A boundary here (the end of a part), if there is none at this offset yet. */
        public Builder mark() {
            if (offset > 0) {
                point();
            }
            return this;
        }

        private void point() {
            if (!points.isEmpty() && points.getLast()[0] == offset) {
                points.getLast()[1] = h;
            } else {
                points.add(new long[] {offset, h});
            }
        }

        public Prompt build() {
            long[] offsets = new long[points.size()];
            long[] hashes = new long[points.size()];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = points.get(i)[0];
                hashes[i] = points.get(i)[1];
            }
            return new Prompt(offsets, hashes, offset);
        }

        public long length() {
            return offset;
        }
    }
}
