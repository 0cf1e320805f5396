package dev.offpeak.cli.report;

import dev.offpeak.cli.CliException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;

/**
 * Waits for a job to finish while drawing a progress bar, reading the tasks table (accepted →
 * terminal) straight from PostgreSQL. Done when {@code expected} tasks are known and none is open.
 */
public final class JobProgress {
    /**
     * How far a job is: tasks the result service knows (accepted by the pipeline), how many are in a
     * batch, in a batch submitted to a provider, ended, and ended without success; and the cost so far.
     */
    public record Counts(long known, long finished, long batched, long submitted, long failed, BigDecimal costUsd) {
        static final Counts NONE = new Counts(0, 0, 0, 0, 0, BigDecimal.ZERO);
    }

    private final String jdbcUrl;
    private final String user;
    /** On a terminal the bar redraws in place; in a log or a pipe it prints a line every few seconds. */
    private final boolean terminal = Boolean.getBoolean("offpeak.terminal"); // set by the launcher when stdout is a tty

    public JobProgress(String jdbcUrl, String user) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
    }

    public Connection connect() {
        try {
            return DriverManager.getConnection(jdbcUrl, user, "");
        } catch (SQLException e) {
            throw new CliException("cannot connect to PostgreSQL at " + jdbcUrl + ": " + e.getMessage());
        }
    }

    public static Counts counts(Connection c, JobScope scope) throws SQLException {
        // a duplicate is batched and submitted when the line of its request is
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*), count(*) FILTER (WHERE t.status <> 'accepted'),
                       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM batch_items bi WHERE bi.request_id = t.request_id)),
                       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM batch_items bi JOIN batches b ON b.batch_id = bi.batch_id
                                                       WHERE bi.request_id = t.request_id
                                                         AND b.state IN ('in_flight', 'settled'))),
                       count(*) FILTER (WHERE t.status IN ('failed', 'expired', 'cancelled')),
                       coalesce(sum(t.cost_usd), 0)
                  FROM tasks t WHERE\s""" + JobScope.WHERE)) {
            scope.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getBigDecimal(6));
            }
        }
    }

    /** Polls until done or the timeout passes; returns the last counts. The bar redraws in place on a terminal. */
    public Counts await(JobScope scope, long expected, Duration timeout, PrintWriter out) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long started = System.nanoTime();
        Counts counts = Counts.NONE;
        long lastLine = 0;
        try (Connection c = connect()) {
            while (true) {
                counts = counts(c, scope);
                boolean finished = counts.known() >= expected && counts.finished() >= counts.known();
                if (terminal || finished || System.nanoTime() - lastLine > 5_000_000_000L) {
                    draw(out, counts, expected, (System.nanoTime() - started) / 1e9);
                    lastLine = System.nanoTime();
                }
                if (finished) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new CliException(String.format(Locale.ROOT,
                            "gave up after %d s: %,d of %,d tasks finished, %,d known to the result service",
                            timeout.toSeconds(), counts.finished(), expected, counts.known()));
                }
                Thread.sleep(500);
            }
        } catch (SQLException e) {
            throw new CliException("reading progress from " + jdbcUrl + " failed: " + e.getMessage());
        }
        if (terminal) {
            out.println();
        }
        out.flush();
        return counts;
    }

    private void draw(PrintWriter out, Counts counts, long expected, double seconds) {
        int width = 40;
        int done = expected == 0 ? width : (int) Math.min(width, width * counts.finished() / expected);
        out.printf(Locale.ROOT, "%s  [%s%s] %,d/%,d settled (%,d failed), %,d accepted, %,d batched, %,d submitted,"
                        + " $%s so far  %5.1f s%s",
                terminal ? "\r" : "", "#".repeat(done), ".".repeat(width - done), counts.finished(), expected,
                counts.failed(), counts.known(), counts.batched(), counts.submitted(),
                counts.costUsd().setScale(4, java.math.RoundingMode.HALF_UP).toPlainString(), seconds,
                terminal ? "" : System.lineSeparator());
        out.flush();
    }
}
