package dev.offpeak.cli;

import dev.offpeak.cli.demo.DemoRun;
import dev.offpeak.cli.demo.DemoWorkload;
import dev.offpeak.cli.local.LocalStack;
import dev.offpeak.cli.report.ReportPrinter;
import dev.offpeak.result.read.JobReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Local mode with a demo workload, then the cost report from the database, then exit. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start local mode, run a demo workload (3 tenants, a nightly job, all three providers, "
                + "shared system prompts, duplicates), print the cost report from PostgreSQL and exit.",
                "Data stays in --data-dir; a second run adds a new job next to the first."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size", defaultValue = "20000", description = "Number of tasks (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--duplicate-rate", defaultValue = "0.18",
            description = "Share of tasks repeating an earlier request of their tenant (default: ${DEFAULT-VALUE}).")
    double duplicateRate;

    @Option(names = "--seed", description = "Seed of the workload (default: random, printed so a run can be repeated).")
    Long seed;

    @Option(names = "--data-dir", defaultValue = ".offpeak", description = "Data folder (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--timeout", defaultValue = "10m", converter = DurationConverter.class,
            description = "Give up when the job has not settled by then (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        if (size < 1) {
            throw new ParameterException(spec.commandLine(), "Invalid value " + size + " for --size: must be >= 1");
        }
        if (!(duplicateRate >= 0 && duplicateRate < 1)) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value " + duplicateRate + " for --duplicate-rate: must be in [0, 1)");
        }
        PrintWriter out = spec.commandLine().getOut();
        long actualSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000);
        String runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        out.printf(Locale.ROOT, "Offpeak demo: %,d tasks, %.0f%% duplicates, seed %d (--seed %d repeats it)%n", size,
                duplicateRate * 100, actualSeed, actualSeed);
        long t0 = System.nanoTime();
        // Batches of a sealed job close at once; the short max wait only matters for leftovers.
        LocalStack.Options options = new LocalStack.Options(dataDir, DemoWorkload.TENANTS, Duration.ofSeconds(5));
        try (LocalStack stack = StackStarter.start(options, out)) {
            out.printf(Locale.ROOT, "Local mode up in %.1f s (endpoints in %s)%n", (System.nanoTime() - t0) / 1e9,
                    stack.dataDir().resolve("endpoints.json"));
            long t1 = System.nanoTime();
            JobReport report = DemoRun.run(stack, new DemoWorkload(size, duplicateRate, actualSeed, runId), timeout, out);
            out.printf(Locale.ROOT, "Workload done in %.1f s.%n", (System.nanoTime() - t1) / 1e9);
            ReportPrinter.print(report, DemoRun.source(stack.endpoints()).describe(), out);
        }
        out.printf(Locale.ROOT, "%nDemo finished in %.1f s; data kept in %s%n", (System.nanoTime() - t0) / 1e9,
                dataDir.toAbsolutePath().normalize());
        out.flush();
        return 0;
    }
}
