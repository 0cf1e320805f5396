package dev.offpeak.result.completion;

import dev.offpeak.result.completion.TaskCompletion.Ending;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the tasks of one batch's final results on a connection and thread of its own, while the
 * settlement's transaction is still writing those results. The two transactions run side by side
 * (on a database with more than one core, at the same time); this one commits only after the
 * settlement's has committed ({@link #commit}), and is rolled back when the settlement fails
 * ({@link #close}), so a task never shows a result that was not stored.
 *
 * <p>If this transaction is lost (the process dies between the two commits, or it fails), the
 * results are stored and the tasks still open: the check of settled batches ends them
 * ({@link TaskCompletion#checkSettled}). Each task ends exactly once either way ({@code status =
 * 'accepted'} under the row lock).
 *
 * <p>Lines arrive in settlement's order and are sent in chunks; a bounded queue lets settlement run
 * at most a few chunks ahead. A lock wait beyond {@link #LOCK_TIMEOUT} fails this transaction
 * instead of stalling settlement; so does a queue that stays full for {@link #STALL_SECONDS}.
 */
public final class TaskEnding implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskEnding.class);

    /** Results per UPDATE: large enough to amortise a statement, small enough to start early. */
    static final int CHUNK = 2_000;
    private static final String LOCK_TIMEOUT = "10s";
    private static final long STALL_SECONDS = 30;
    private static final List<Ending> END = List.of();

    private final Connection connection;
    private final String batchId;
    private final Instant now;
    private final BlockingQueue<List<Ending>> queue = new ArrayBlockingQueue<>(4);
    private final Thread worker;
    private List<Ending> pending = new ArrayList<>(CHUNK);
    private volatile Exception failure;
    private volatile boolean abandoned;
    private volatile boolean busy;
    private int ended;
    private boolean done;

    private TaskEnding(Connection connection, String batchId, Instant now) {
        this.connection = connection;
        this.batchId = batchId;
        this.now = now;
        this.worker = Thread.ofPlatform().daemon().name("task-ending-" + batchId).unstarted(this::run);
    }

    /**
     * Opens the ending of {@code batchId}'s tasks on a new connection; null when no connection can be
     * had (the tasks are then ended by the check of settled batches).
     */
    public static TaskEnding open(DataSource dataSource, String batchId, Instant now) {
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
                // a chunk's request ids are distinct, so a memo of task lookups never hits: it only
                // costs a hash insert per line
                s.execute("SET LOCAL enable_memoize = off");
            }
            TaskEnding ending = new TaskEnding(c, batchId, now);
            ending.worker.start();
            return ending;
        } catch (SQLException | RuntimeException e) {
            log.warn("batch {}: no connection to end its tasks beside settlement ({}); the settled-batch check will",
                    batchId, e.getMessage());
            closeQuietly(c);
            return null;
        }
    }

    /** Ends the tasks of this final result (sent with its chunk). */
    public void add(Ending ending) {
        if (failure != null || abandoned) {
            return;
        }
        pending.add(ending);
        if (pending.size() >= CHUNK) {
            send(pending);
            pending = new ArrayList<>(CHUNK);
        }
    }

    /**
     * After the settlement committed: sends the last chunk, waits for every chunk, writes the batch's
     * outbox row and commits. Returns how many tasks ended.
     *
     * @throws SQLException when ending failed; nothing of it is committed
     */
    public int commit() throws SQLException {
        if (!pending.isEmpty()) {
            send(pending);
            pending = new ArrayList<>();
        }
        finishWorker();
        if (failure != null) {
            throw failure instanceof SQLException sql ? sql
                    : new SQLException("ending the tasks of " + batchId + " failed", failure);
        }
        if (ended > 0) {
            OutboxStore.announceBatch(connection, batchId, now);
        }
        connection.commit();
        done = true;
        return ended;
    }

    /** Rolls back whatever was not committed and gives the connection back. */
    @Override
    public void close() {
        if (!done) {
            abandoned = true;
            if (busy) {
                try {
                    connection.unwrap(PGConnection.class).cancelQuery();
                } catch (SQLException e) {
                    log.debug("batch {}: could not cancel the task ending's statement: {}", batchId, e.getMessage());
                }
            }
            queue.clear();
            finishWorker();
            try {
                connection.rollback();
            } catch (SQLException e) {
                log.debug("batch {}: rollback of the task ending failed: {}", batchId, e.getMessage());
            }
            done = true;
        }
        closeQuietly(connection);
    }

    private void send(List<Ending> chunk) {
        try {
            if (!queue.offer(chunk, STALL_SECONDS, TimeUnit.SECONDS)) {
                fail(new SQLException("ending the tasks of " + batchId + " stalled for " + STALL_SECONDS + " s"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new SQLException("interrupted while ending the tasks of " + batchId, e));
        }
    }

    private void finishWorker() {
        if (!worker.isAlive()) {
            return;
        }
        try {
            while (!queue.offer(END, 1, TimeUnit.SECONDS)) {
                if (!worker.isAlive()) {
                    return;
                }
            }
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new SQLException("interrupted while ending the tasks of " + batchId, e));
        }
    }

    private void fail(Exception e) {
        if (failure == null) {
            failure = e;
        }
    }

    private void run() {
        try {
            for (List<Ending> chunk; (chunk = queue.take()) != END;) {
                if (failure != null || abandoned) {
                    continue; // drain: settlement may still be sending
                }
                busy = true;
                try {
                    ended += TaskCompletion.endChunk(connection, batchId, chunk, now);
                } catch (SQLException | RuntimeException e) {
                    fail(e);
                } finally {
                    busy = false;
                }
            }
        } catch (InterruptedException e) {
            fail(e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing the task ending's connection failed: {}", e.getMessage());
        }
    }
}
