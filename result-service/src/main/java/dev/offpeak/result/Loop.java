package dev.offpeak.result;

import java.time.Duration;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a unit of work until closed: again at once while it finds work, after {@code idle} when it
 * finds none, after {@code idle} again when it fails (logged, never fatal).
 */
final class Loop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Loop.class);

    private final Thread thread;
    private volatile boolean running = true;

    Loop(String name, Duration idle, IntSupplier work) {
        this.thread = Thread.ofPlatform().name(name).daemon(false).unstarted(() -> run(name, idle, work));
    }

    Loop start() {
        thread.start();
        return this;
    }

    private void run(String name, Duration idle, IntSupplier work) {
        while (running) {
            try {
                if (work.getAsInt() == 0) {
                    sleep(idle);
                }
            } catch (RuntimeException e) {
                log.error("{}: round failed, trying again in {}", name, idle, e);
                sleep(idle);
            }
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Asks the loop to stop after its current round; returns at once. */
    void signal() {
        running = false;
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

    @Override
    public void close() {
        // no interrupt: a round in the middle of a transaction or a Kafka poll finishes cleanly
        signal();
        awaitStop(System.nanoTime() + Duration.ofSeconds(60).toNanos());
    }
}
