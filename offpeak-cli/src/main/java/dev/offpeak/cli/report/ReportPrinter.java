package dev.offpeak.cli.report;

import dev.offpeak.result.read.JobReport;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
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
        line(out, "lines by mode", counts(r.linesByMode()) + switch (r.rescueCostUsd().signum()) {
            case 0 -> "";
            // a rescue pays for the deadline; an auto lane runs by flex or sync only where it costs less
            case 1 -> "  (flex / sync lines cost " + usd(r.rescueCostUsd()) + " more than in a batch)";
            default -> "  (flex / sync lines cost " + usd(r.rescueCostUsd().negate()) + " less than in a batch)";
        });
        line(out, "tasks by status", counts(r.tasksByStatus()));
        line(out, "list", usd(r.listUsd()) + "  (every task at synchronous list rates, no cache, duplicates included)");
        line(out, "sync-equivalent", usd(r.syncEquivalentUsd()) + "  (the same usage, cache hits included, at synchronous rates)");
        line(out, "billed cost", usd(r.billedUsd()) + "  (" + ratio(r.billedUsd(), r.listUsd()) + " of list)");
        line(out, "saved vs list", usd(r.listUsd().subtract(r.billedUsd())) + ": dedup " + usd(r.savedByDedupUsd())
                + ", caching " + usd(r.savedByCachingUsd()) + ", batch discount " + usd(r.savedByBatchUsd()));
        line(out, "cache rate", pct(r.cachedInputTokens(), r.inputTokens()) + " of input tokens read from cache");
        line(out, "turnaround", String.format(Locale.ROOT, "median %.1f s, p95 %.1f s, first submit to last result %.1f s",
                r.turnaround().p50Seconds(), r.turnaround().p95Seconds(), r.turnaround().wallSeconds()));
        out.println();
        out.printf(Locale.ROOT, "  %-10s %-24s %8s %8s %6s %11s %11s %11s %11s %6s %6s %10s %10s %10s%n", "provider",
                "model", "tasks", "unique", "dedup", "succeeded", "list", "sync-equiv", "billed", "/list", "cache",
                "by dedup", "by cache", "by batch");
        for (JobReport.Row row : r.rows()) {
            out.printf(Locale.ROOT, "  %-10s %-24s %8s %8s %6s %11s %11s %11s %11s %6s %6s %10s %10s %10s%s%n",
                    row.provider(), row.model(), num(row.tasks()), num(row.uniqueRequests()),
                    pct(row.duplicates(), row.tasks()), num(row.tasksByStatus().getOrDefault("succeeded", 0L)),
                    usd(row.listUsd()), usd(row.syncEquivalentUsd()), usd(row.billedUsd()),
                    ratio(row.billedUsd(), row.listUsd()), pct(row.cachedInputTokens(), row.inputTokens()),
                    usd(row.savedByDedupUsd()), usd(row.savedByCachingUsd()), usd(row.savedByBatchUsd()),
                    row.batchDearerThanSync() ? "  !" : "");
        }
        List<JobReport.Row> dearer = r.rows().stream().filter(JobReport.Row::batchDearerThanSync).toList();
        if (!dearer.isEmpty()) {
            out.println();
            out.println("  ! the batch was not the cheapest way for " + dearer.stream().map(JobReport.Row::model)
                    .collect(Collectors.joining(", ")) + ": synchronous calls with the same cache hits would have cost");
            out.println("    less, because the batch tier bills these models' cache hits at its batch input rate.");
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

    /** {@code part / whole} as e.g. {@code 0.21x}. */
    static String ratio(BigDecimal part, BigDecimal whole) {
        return whole.signum() == 0 ? "-" : part.divide(whole, 2, RoundingMode.HALF_UP).toPlainString() + "x";
    }

    static String pct(BigDecimal part, BigDecimal whole) {
        return whole.signum() == 0 ? "-" : part.multiply(BigDecimal.valueOf(100))
                .divide(whole, 1, RoundingMode.HALF_UP).toPlainString() + "%";
    }
}
