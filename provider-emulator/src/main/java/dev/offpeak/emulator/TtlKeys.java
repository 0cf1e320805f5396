package dev.offpeak.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cache entries with a time to live on the emulator clock, refreshed on each hit: Anthropic's
 * {@code cache_control} prefixes ("the cache is refreshed for no additional cost each time the cached
 * content is used"). An entry is alive at {@code t} when it was written at or before {@code t} and
 * {@code t} is within its TTL of its latest use. The number of entries is bounded (least recently
 * used first out).
 */
public final class TtlKeys {
    private static final int MAX_ENTRIES = 200_000;

    private static final class Slot {
        Instant writtenAt;
        Instant lastUsedAt;
        Duration ttl;

        Slot(Instant at, Duration ttl) {
            this.writtenAt = at;
            this.lastUsedAt = at;
            this.ttl = ttl;
        }

        boolean aliveAt(Instant t) {
            return !t.isBefore(writtenAt) && !t.isAfter(lastUsedAt.plus(ttl));
        }
    }

    private final Map<String, Slot> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Slot> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** Whether {@code key} is cached at {@code t}; a hit refreshes it. */
    public synchronized boolean hit(String key, Instant t) {
        Slot e = entries.get(key);
        if (e == null || !e.aliveAt(t)) {
            return false;
        }
        if (t.isAfter(e.lastUsedAt)) {
            e.lastUsedAt = t;
        }
        return true;
    }

    /** Caches {@code key} at {@code t} for {@code ttl} (a live entry keeps the longer of the two TTLs). */
    public synchronized void write(String key, Instant t, Duration ttl) {
        Slot e = entries.get(key);
        if (e == null || (!e.aliveAt(t) && !t.isBefore(e.lastUsedAt))) {
            entries.put(key, new Slot(t, ttl));
            return;
        }
        if (t.isBefore(e.writtenAt)) {
            e.writtenAt = t;
        }
        if (t.isAfter(e.lastUsedAt)) {
            e.lastUsedAt = t;
        }
        if (ttl.compareTo(e.ttl) > 0) {
            e.ttl = ttl;
        }
    }

    public synchronized void clear() {
        entries.clear();
    }
}
