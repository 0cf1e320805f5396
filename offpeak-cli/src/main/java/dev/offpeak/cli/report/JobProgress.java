package dev.offpeak.cli.report;

import dev.offpeak.cli.CliException;
import java.io.PrintWriter;
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
    /** How far a job is: tasks the result service knows, and how many of them ended. */
    public record Counts(long known, long finished) {}

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
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE t.status <> 'accepted')"
                + " FROM tasks t WHERE " + JobScope.WHERE)) {
            scope.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Counts(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    /** Polls until done or the timeout passes; returns the last counts. The bar redraws in place on a terminal. */
    public Counts await(JobScope scope, long expected, Duration timeout, PrintWriter out) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long started = System.nanoTime();
        Counts counts = new Counts(0, 0);
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
        out.printf(Locale.ROOT, "%s  [%s%s] %,d/%,d settled, %,d accepted by the pipeline  %5.1f s%s",
                terminal ? "\r" : "", "#".repeat(done), ".".repeat(width - done), counts.finished(), expected,
                counts.known(), seconds, terminal ? "" : System.lineSeparator());
        out.flush();
    }
}
