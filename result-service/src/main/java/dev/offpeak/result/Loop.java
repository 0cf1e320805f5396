package dev.offpeak.result;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one piece of work on its own thread until closed: again at once while it finds work, after
 * {@code idle} when it finds none or when {@link #wake()} says new work arrived, whichever comes
 * first. A round that throws anything, an {@link Error} included, is logged and counted on
 * {@code failures}; the loop then backs off (doubling from {@code idle} up to {@link #MAX_BACKOFF}
 * while rounds keep failing) and goes on, so one broken piece never stops the others.
 */
final class Loop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Loop.class);

    /** Longest pause after repeated failures: an outage is retried at least once a minute. */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final String name;
    private final Duration idle;
    private final IntSupplier work;
    private final Counter failures;
    private final Thread thread;
    private final Object monitor = new Object();
    private volatile boolean running = true;
    private boolean woken;

    Loop(String name, Duration idle, IntSupplier work, Counter failures) {
        this.name = name;
        this.idle = idle;
        this.work = work;
        this.failures = failures;
        this.thread = Thread.ofPlatform().name(name).daemon(false).unstarted(this::run);
    }

    Loop start() {
        thread.start();
        return this;
    }

    private void run() {
        int failed = 0;
        while (running) {
            try {
                int found = work.getAsInt();
                failed = 0;
                if (found == 0) {
                    pause(idle, true);
                }
            } catch (Throwable e) { // any failure of a round, even an Error, must not end the loop
                failures.increment();
                Duration backoff = backoff(++failed);
                log.error("{}: round failed ({} in a row), trying again in {}", name, failed, backoff, e);
                pause(backoff, false);
            }
        }
    }

    private Duration backoff(int failedInARow) {
        Duration doubled = idle.multipliedBy(1L << Math.min(failedInARow - 1, 16));
        Duration cap = idle.compareTo(MAX_BACKOFF) > 0 ? idle : MAX_BACKOFF;
        return doubled.compareTo(cap) > 0 ? cap : doubled;
    }

    /** Waits {@code d}, or less when stopped or (if {@code wakeable}) woken. */
    private void pause(Duration d, boolean wakeable) {
        long deadline = System.nanoTime() + d.toNanos();
        synchronized (monitor) {
            try {
                long left;
                while (running && !(wakeable && woken) && (left = deadline - System.nanoTime()) > 0) {
                    monitor.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
            if (wakeable) {
                woken = false;
            }
        }
    }

    /** New work arrived: the next round starts now instead of after the idle time. */
    void wake() {
        synchronized (monitor) {
            woken = true;
            monitor.notifyAll();
        }
    }

    /** Asks the loop to stop after its current round; returns at once. */
    void signal() {
        running = false;
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** Waits until the loop stopped or {@code deadline} (System.nanoTime) passed. */
    void awaitStop(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return;
        }
        try {
            thread.join(Duration.ofNanos(left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    @Override
    public void close() {
        // no interrupt: a round in the middle of a transaction or a Kafka poll finishes cleanly
        signal();
        awaitStop(System.nanoTime() + Duration.ofSeconds(60).toNanos());
    }
}
