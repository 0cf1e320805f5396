package dev.offpeak.cli.report;

import dev.offpeak.result.read.JobReport;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints a {@link JobReport} as the totals, then one line per provider and model; the same lines
 * whichever source the report came from, with that source on a line of its own.
 */
public final class ReportPrinter {
    private ReportPrinter() {}

    /** @param source where the report was read, e.g. "read API http://host:8082 (tenant acme)" */
    public static void print(JobReport r, String source, PrintWriter out) {
        out.println();
        out.println("Offpeak cost report: job " + r.jobId() + (r.tenant() == null ? " (every tenant)" : " of tenant "
                + r.tenant()));
        line(out, "source", source);
        line(out, "tasks", num(r.tasks()) + (r.open() > 0 ? "  (" + num(r.open()) + " still open)" : ""));
        line(out, "unique requests", num(r.uniqueRequests()));
        line(out, "duplicates", num(r.duplicates()) + "  (realised dedup rate " + pct(r.duplicates(), r.tasks()) + ")");
        line(out, "batches", r.batchesByProvider().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")) + "  (" + r.batchesByProvider().values().stream()
                .mapToLong(Long::longValue).sum() + ")");
        line(out, "lines settled", counts(r.linesByStatus()));
        line(out, "tasks by status", counts(r.tasksByStatus()));
        line(out, "billed cost", usd(r.billedUsd()));
        line(out, "sync-equivalent", usd(r.syncEquivalentUsd()));
        line(out, "saved", usd(r.savedUsd()) + "  (" + pct(r.savedUsd(), r.syncEquivalentUsd()) + ")");
        line(out, "cache rate", pct(r.cachedInputTokens(), r.inputTokens()) + " of input tokens read from cache");
        line(out, "turnaround", String.format(Locale.ROOT, "median %.1f s, p95 %.1f s, first submit to last result %.1f s",
                r.turnaround().p50Seconds(), r.turnaround().p95Seconds(), r.turnaround().wallSeconds()));
        out.println();
        out.printf(Locale.ROOT, "  %-10s %-24s %8s %8s %7s %6s %11s %12s %12s %7s %6s%n", "provider", "model", "tasks",
                "unique", "dups", "dedup", "succeeded", "billed", "sync-equiv", "saved", "cache");
        for (JobReport.Row row : r.rows()) {
            out.printf(Locale.ROOT, "  %-10s %-24s %8s %8s %7s %6s %11s %12s %12s %7s %6s%n", row.provider(), row.model(),
                    num(row.tasks()), num(row.uniqueRequests()), num(row.duplicates()), pct(row.duplicates(), row.tasks()),
                    num(row.tasksByStatus().getOrDefault("succeeded", 0L)), usd(row.billedUsd()), usd(row.syncEquivalentUsd()),
                    pct(row.savedUsd(), row.syncEquivalentUsd()), pct(row.cachedInputTokens(), row.inputTokens()));
        }
        out.flush();
    }

    private static void line(PrintWriter out, String label, String value) {
        out.printf(Locale.ROOT, "  %-17s %s%n", label, value);
    }

    private static String counts(Map<String, Long> byStatus) {
        return byStatus.isEmpty() ? "none" : byStatus.entrySet().stream().map(e -> e.getKey() + " " + num(e.getValue()))
                .collect(Collectors.joining(", "));
    }

    static String num(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String usd(BigDecimal amount) {
        return "$" + amount.setScale(4, RoundingMode.HALF_UP).toPlainString();
    }

    static String pct(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    static String pct(BigDecimal part, BigDecimal whole) {
        return whole.signum() == 0 ? "-" : part.multiply(BigDecimal.valueOf(100))
                .divide(whole, 1, RoundingMode.HALF_UP).toPlainString() + "%";
    }
}
