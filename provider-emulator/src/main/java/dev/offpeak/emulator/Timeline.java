package dev.offpeak.emulator;

import java.time.Duration;
import java.time.Instant;

/**
 * A batch's state as a pure function of the clock. Nothing runs in the background: a batch is
 * {@code validating} for {@code validationDelay}, then finishes lines at a steady rate over
 * {@code max(turnaround, lines / linesPerSecond)}, then {@code finalizing} for {@code finalizeDelay}.
 * Expiry (the provider's window, or an injected "expire after K lines") and cancel cut that line
 * short. Advancing a {@link ManualClock} is therefore enough to walk a batch through every state.
 */
public final class Timeline {
    private final EmulatorConfig.Speed speed;

    public Timeline(EmulatorConfig.Speed speed) {
        this.speed = speed;
    }

    public static Duration window(Provider provider) {
        return provider == Provider.GEMINI ? Duration.ofHours(48) : Duration.ofHours(24);
    }

    public Snapshot at(Batch batch, Instant now) {
        Batch.Spec spec = batch.spec();
        Instant created = spec.createdAt();
        Instant validated = created.plus(speed.validationDelay());
        Instant cancel = batch.cancelRequestedAt();
        if (spec.failure() != null) {
            return now.isBefore(validated)
                    ? new Snapshot(Phase.VALIDATING, 0, 0, null, null, null, null, created)
                    : new Snapshot(Phase.FAILED, 0, 0, null, null, validated, null, validated);
        }
        int n = spec.lineCount();
        long runMs = Math.max(speed.turnaround().toMillis(), (long) Math.ceil(n * 1000.0 / speed.linesPerSecond()));
        Instant processed = validated.plusMillis(runMs);
        Instant completed = processed.plus(speed.finalizeDelay());
        Instant expiry = expiry(batch, validated, runMs, processed);
        Instant naturalEnd = expiry != null ? expiry : completed;

        if (cancel != null && cancel.isBefore(naturalEnd)) {
            int done = linesAt(batch, validated, runMs, cancel.isBefore(processed) ? cancel : processed);
            Instant cancelled = cancel.plus(speed.cancelDrain());
            Instant validatedSeen = cancel.isAfter(validated) ? validated : null;
            if (now.isBefore(cancel)) {
                return running(batch, now, validated, runMs, processed, completed);
            }
            Phase phase = now.isBefore(cancelled) ? Phase.CANCELLING : Phase.CANCELLED;
            Instant ended = phase == Phase.CANCELLED ? cancelled : null;
            return new Snapshot(phase, done, ok(batch, done), validatedSeen, null, ended, cancel,
                    ended != null ? ended : cancel);
        }
        if (expiry != null && !now.isBefore(expiry)) {
            int done = linesAt(batch, validated, runMs, expiry);
            return new Snapshot(Phase.EXPIRED, done, ok(batch, done), validated, null, expiry, null, expiry);
        }
        return running(batch, now, validated, runMs, processed, completed);
    }

    private Snapshot running(Batch batch, Instant now, Instant validated, long runMs, Instant processed,
                             Instant completed) {
        Instant created = batch.spec().createdAt();
        if (now.isBefore(validated)) {
            return new Snapshot(Phase.VALIDATING, 0, 0, null, null, null, null, created);
        }
        int n = batch.spec().lineCount();
        if (now.isBefore(processed)) {
            int done = linesAt(batch, validated, runMs, now);
            return new Snapshot(Phase.IN_PROGRESS, done, ok(batch, done), validated, null, null, null, validated);
        }
        if (now.isBefore(completed)) {
            return new Snapshot(Phase.FINALIZING, n, ok(batch, n), validated, processed, null, null, processed);
        }
        return new Snapshot(Phase.COMPLETED, n, ok(batch, n), validated, processed, completed, null, completed);
    }

    /**
     * When line {@code index} (0-based, input order) finishes on the batch's timeline: lines finish at an
     * even rate from the end of validation. Prompt caches are read and written at this instant.
     */
    public Instant lineDoneAt(Batch batch, int index) {
        Batch.Spec spec = batch.spec();
        Instant validated = spec.createdAt().plus(speed.validationDelay());
        int n = Math.max(1, spec.lineCount());
        long runMs = Math.max(speed.turnaround().toMillis(), (long) Math.ceil(n * 1000.0 / speed.linesPerSecond()));
        return validated.plusMillis((long) Math.ceil((double) runMs * (index + 1) / n));
    }

    /** When the batch expires: at the injected line count, or at the window if it cannot finish inside it. */
    private static Instant expiry(Batch batch, Instant validated, long runMs, Instant processed) {
        Batch.Spec spec = batch.spec();
        Instant windowEnd = spec.createdAt().plus(window(spec.provider()));
        Instant expiry = processed.isAfter(windowEnd) ? windowEnd : null;
        if (spec.fault().orElse(null) instanceof Faults.BatchFault.ExpireAfterLines(int k) && k < spec.lineCount()) {
            long atMs = spec.lineCount() == 0 ? 0 : (long) Math.ceil((double) runMs * k / spec.lineCount());
            Instant stall = validated.plusMillis(atMs);
            expiry = expiry == null || stall.isBefore(expiry) ? stall : expiry;
        }
        return expiry;
    }

    private static int linesAt(Batch batch, Instant validated, long runMs, Instant t) {
        Batch.Spec spec = batch.spec();
        int n = spec.lineCount();
        int done;
        if (!t.isAfter(validated)) {
            done = 0;
        } else if (runMs == 0) {
            done = n;
        } else {
            long elapsed = Duration.between(validated, t).toMillis();
            done = (int) Math.min(n, (long) Math.floor((double) elapsed * n / runMs));
        }
        if (spec.fault().orElse(null) instanceof Faults.BatchFault.ExpireAfterLines(int k)) {
            done = Math.min(done, k);
        }
        return done;
    }

    private static int ok(Batch batch, int done) {
        if (batch.allLinesFail()) {
            return 0;
        }
        int failed = batch.spec().httpFailures().get(0, done).cardinality();
        return done - failed;
    }
}
