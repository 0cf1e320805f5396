package dev.offpeak.cli.chaos;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Watches the pipeline move: every 200 ms it reads how many tasks were accepted, batches submitted and
 * batches settled, and notes each moment one of them grew. The stall after a kill is the time from the
 * kill to the next such moment. While PostgreSQL is down nothing can be read, and nothing is noted.
 */
final class ProgressMeter implements AutoCloseable {
    private static final long PERIOD_MS = 200;

    private final ChaosCluster cluster;
    private final List<Long> moves = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long[] last = {-1, -1, -1};

    ProgressMeter(ChaosCluster cluster) {
        this.cluster = cluster;
        this.thread = Thread.ofPlatform().daemon().name("chaos-progress").start(this::run);
    }

    private void run() {
        Connection c = null;
        while (running) {
            try {
                if (c == null || c.isClosed()) {
                    c = cluster.connect();
                }
                long[] now = read(c);
                long at = System.nanoTime();
                boolean moved = false;
                for (int i = 0; i < now.length; i++) {
                    moved |= last[i] >= 0 && now[i] > last[i];
                }
                last = now;
                if (moved) {
                    synchronized (moves) {
                        moves.add(at);
                    }
                }
            } catch (SQLException e) {
                close(c);
                c = null;
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
        close(c);
    }

    private static long[] read(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT (SELECT count(*) FROM tasks),
                       (SELECT count(*) FROM batches WHERE submitted_at IS NOT NULL),
                       (SELECT count(*) FROM batches WHERE settled_at IS NOT NULL)""")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    /** Nanoseconds from {@code since} to the first move after it, if the pipeline moved since. */
    Optional<Long> firstMoveAfter(long since) {
        synchronized (moves) {
            return moves.stream().filter(t -> t > since).findFirst().map(t -> t - since);
        }
    }

    /** Whether the pipeline moved within {@code window} before {@code at}: work was flowing then. */
    boolean movingBefore(long at, long windowNanos) {
        synchronized (moves) {
            return moves.stream().anyMatch(t -> t <= at && at - t <= windowNanos);
        }
    }

    /** The last moment the pipeline moved (System.nanoTime), or 0. */
    long lastMove() {
        synchronized (moves) {
            return moves.isEmpty() ? 0 : moves.getLast();
        }
    }

    private static void close(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // the database went away
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
