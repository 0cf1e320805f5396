package dev.offpeak.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gemini's explicit context caches ({@code cachedContents/<id>}): what each holds (its token count, not
 * its text), whose it is (the caller's cache scope), and when it lives, from creation to deletion or
 * expiry. A cache deleted or expired is kept here (no longer served) so that batch lines checked
 * against it at their batch's creation keep their answer, and so that its storage (token-seconds,
 * what Google bills storage by) can still be read. Journaled like batches.
 */
public final class CachedContentStore {

    /**
     * One cache.
     *
     * @param id          without the {@code cachedContents/} prefix
     * @param model       the model as the create request named it, without {@code models/}
     * @param deletedAt   null while not deleted
     * @param totalTokens what {@code usageMetadata.totalTokenCount} reports
     */
    public record Entry(String id, String scope, String model, String displayName, Instant createTime,
                        Instant updateTime, Instant expireTime, Instant deletedAt, long totalTokens) {

        /** Served at {@code t}: created, not deleted, not expired. */
        public boolean aliveAt(Instant t) {
            return !t.isBefore(createTime) && t.isBefore(expireTime) && (deletedAt == null || t.isBefore(deletedAt));
        }

        /** When storage stops being billed: deletion or expiry, whichever comes first. */
        public Instant endTime() {
            return deletedAt != null && deletedAt.isBefore(expireTime) ? deletedAt : expireTime;
        }

        /** Token-seconds stored from creation until {@code now} (or the end, if earlier). */
        public long storageTokenSeconds(Instant now) {
            Instant end = now.isBefore(endTime()) ? now : endTime();
            long seconds = Math.max(0, Duration.between(createTime, end).toSeconds());
            return seconds * totalTokens;
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private volatile Journal journal = Journal.NONE;

    void journal(Journal journal) {
        this.journal = journal;
    }

    public synchronized Entry create(Entry e) {
        entries.put(e.id(), e);
        journal.cachedContentCreated(e);
        return e;
    }

    /** Any cache ever created with this id (deleted and expired ones included), or null. */
    public synchronized Entry find(String id) {
        return entries.get(id);
    }

    public synchronized Entry updateExpiry(String id, Instant expireTime, Instant at) {
        Entry e = entries.get(id);
        Entry updated = new Entry(e.id(), e.scope(), e.model(), e.displayName(), e.createTime(), at, expireTime,
                e.deletedAt(), e.totalTokens());
        entries.put(id, updated);
        journal.cachedContentUpdated(updated);
        return updated;
    }

    public synchronized void delete(String id, Instant at) {
        Entry e = entries.get(id);
        Entry deleted = new Entry(e.id(), e.scope(), e.model(), e.displayName(), e.createTime(), e.updateTime(),
                e.expireTime(), at, e.totalTokens());
        entries.put(id, deleted);
        journal.cachedContentDeleted(id, at);
    }

    /** Every cache, oldest first, deleted and expired ones included. */
    public synchronized List<Entry> all() {
        return new ArrayList<>(entries.values());
    }

    synchronized void restore(Entry e) {
        entries.put(e.id(), e);
    }

    public synchronized void clear() {
        entries.clear();
    }
}
