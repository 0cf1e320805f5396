package dev.offpeak.emulator;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that only moves when a test (or the admin API) moves it. Batch state is a pure function
 * of this clock, so advancing it is all a test needs to walk a batch through its states.
 */
public final class ManualClock implements InstantSource {
    private final AtomicReference<Instant> now;

    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** Starts at a fixed, whole-second instant so timestamps in tests are reproducible. */
    public static ManualClock startingAt2026() {
        return new ManualClock(Instant.parse("2026-08-20T10:00:00Z"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    public Instant advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("the clock only moves forward, got " + by);
        }
        return now.updateAndGet(t -> t.plus(by));
    }

    public void set(Instant to) {
        now.set(to);
    }
}
