package dev.offpeak.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds every batch and answers "what does it look like now". State comes from {@link Timeline};
 * results are written once, by the provider's {@link ResultWriter}, the first time anyone looks at a
 * terminal batch (so a test that advances the clock and polls sees them immediately).
 */
public final class BatchEngine {

    /** Writes a terminal batch's output (files on disk) in one streamed pass over its input. */
    @FunctionalInterface
    public interface ResultWriter {
        Results write(Batch batch, Snapshot snapshot) throws IOException;
    }

    private final InstantSource clock;
    private final Timeline timeline;
    private final Counters counters;
    private final Map<Provider, LinkedHashMap<String, Batch>> batches = new EnumMap<>(Provider.class);
    private volatile Journal journal = Journal.NONE;

    public BatchEngine(InstantSource clock, Timeline timeline, Counters counters) {
        this.clock = clock;
        this.timeline = timeline;
        this.counters = counters;
        for (Provider p : Provider.values()) {
            batches.put(p, new LinkedHashMap<>());
        }
    }

    public Instant now() {
        return clock.instant();
    }

    void journal(Journal journal) {
        this.journal = journal;
    }

    public synchronized void add(Batch batch) {
        batches.get(batch.spec().provider()).put(batch.id(), batch);
        counters.batchCreated(batch.spec().provider());
        journal.batchCreated(batch.spec());
    }

    /** A batch from the journal of an earlier run: known again, but not counted as created now. */
    synchronized void restore(Batch batch) {
        batches.get(batch.spec().provider()).put(batch.id(), batch);
    }

    synchronized Batch getIncludingDeleted(Provider provider, String id) {
        return batches.get(provider).get(id);
    }

    /** Null when unknown or deleted. */
    public synchronized Batch get(Provider provider, String id) {
        Batch b = batches.get(provider).get(id);
        return b == null || b.deleted() ? null : b;
    }

    /** Newest first, deleted ones left out. */
    public synchronized List<Batch> list(Provider provider) {
        List<Batch> out = new ArrayList<>();
        for (Batch b : batches.get(provider).values()) {
            if (!b.deleted()) {
                out.add(b);
            }
        }
        return out.reversed();
    }

    public Snapshot snapshot(Batch batch) {
        return timeline.at(batch, now());
    }

    /** When line {@code index} of the batch finishes (see {@link Timeline#lineDoneAt}). */
    public Instant lineDoneAt(Batch batch, int index) {
        return timeline.lineDoneAt(batch, index);
    }

    /**
     * The batch's results, writing them on first use; {@link Results#NONE} until terminal. Results of
     * the provider's earlier batches that have ended but were not looked at yet are written first, so
     * prompt caches shared across batches see the lines in the order they ran, not the order clients
     * asked for them.
     */
    public Results results(Batch batch, Snapshot snapshot, ResultWriter writer) {
        if (!snapshot.phase().terminal() || snapshot.phase() == Phase.FAILED) {
            return Results.NONE;
        }
        for (Batch earlier : unwrittenBefore(batch)) {
            Snapshot s = snapshot(earlier);
            if (s.phase().terminal() && s.phase() != Phase.FAILED) {
                write(earlier, s, writer);
            }
        }
        return write(batch, snapshot, writer);
    }

    /** Batches of the same provider created before this one whose results are not written yet. */
    private synchronized List<Batch> unwrittenBefore(Batch batch) {
        List<Batch> out = new ArrayList<>();
        for (Batch b : batches.get(batch.spec().provider()).values()) {
            if (b == batch) {
                break;
            }
            if (!b.deleted() && b.results() == null) {
                out.add(b);
            }
        }
        return out;
    }

    private Results write(Batch batch, Snapshot snapshot, ResultWriter writer) {
        synchronized (batch) {
            Results r = batch.results();
            if (r == null) {
                try {
                    r = writer.write(batch, snapshot);
                } catch (IOException e) {
                    throw new UncheckedIOException("writing results of " + batch.id(), e);
                }
                batch.results(r);
                journal.resultsWritten(batch, r);
            }
            return r;
        }
    }

    /** Prompt tokens of this model's batches that are not terminal yet (the enqueued-token quota). */
    public synchronized long enqueuedTokens(Provider provider, String model) {
        Instant now = now();
        long sum = 0;
        for (Batch b : batches.get(provider).values()) {
            if (!b.deleted() && model.equals(b.spec().model()) && !timeline.at(b, now).phase().terminal()) {
                sum += b.spec().promptTokens();
            }
        }
        return sum;
    }

    public void cancel(Batch batch) {
        Instant at = now();
        if (batch.requestCancel(at)) {
            journal.cancelRequested(batch, at);
        }
    }

    public synchronized void delete(Batch batch) {
        batch.markDeleted();
        journal.batchDeleted(batch);
    }

    public synchronized void clear() {
        batches.values().forEach(Map::clear);
    }
}
