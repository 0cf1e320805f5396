package dev.offpeak.cli.report;

import dev.offpeak.cli.CliException;
import dev.offpeak.cli.source.ReadSource;
import dev.offpeak.result.read.JobCounts;
import java.io.PrintWriter;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;

/**
 * Waits for a job to finish while drawing a progress bar from the source's job counts (the read API
 * or the database; accepted → terminal). Done when {@code expected} tasks are known and none is open.
 */
public final class JobProgress {
    /** On a terminal the bar redraws in place; in a log or a pipe it prints a line every few seconds. */
    private static final boolean TERMINAL = Boolean.getBoolean("offpeak.terminal"); // set by the launcher on a tty

    private JobProgress() {}

    /** Polls until done or the timeout passes; returns the last counts. */
    public static JobCounts await(ReadSource source, String jobId, long expected, Duration timeout, PrintWriter out)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long started = System.nanoTime();
        long lastLine = 0;
        while (true) {
            JobCounts counts = source.progress(jobId);
            boolean finished = counts.known() >= expected && counts.finished() >= counts.known();
            if (TERMINAL || finished || System.nanoTime() - lastLine > 5_000_000_000L) {
                draw(out, counts, expected, (System.nanoTime() - started) / 1e9);
                lastLine = System.nanoTime();
            }
            if (finished) {
                if (TERMINAL) {
                    out.println();
                }
                out.flush();
                return counts;
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(String.format(Locale.ROOT,
                        "gave up after %d s: %,d of %,d tasks finished, %,d known to the result service (%s)",
                        timeout.toSeconds(), counts.finished(), expected, counts.known(), source.describe()));
            }
            Thread.sleep(500);
        }
    }

    private static void draw(PrintWriter out, JobCounts counts, long expected, double seconds) {
        int width = 40;
        int done = expected == 0 ? width : (int) Math.min(width, width * counts.finished() / expected);
        out.printf(Locale.ROOT, "%s  [%s%s] %,d/%,d settled (%,d failed), %,d accepted, %,d batched, %,d submitted,"
                        + " $%s so far  %5.1f s%s",
                TERMINAL ? "\r" : "", "#".repeat(done), ".".repeat(width - done), counts.finished(), expected,
                counts.failed(), counts.known(), counts.batched(), counts.submitted(),
                counts.costUsd().setScale(4, RoundingMode.HALF_UP).toPlainString(), seconds,
                TERMINAL ? "" : System.lineSeparator());
        out.flush();
    }
}
