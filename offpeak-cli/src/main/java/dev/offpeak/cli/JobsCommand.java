package dev.offpeak.cli;

import dev.offpeak.cli.report.TablePrinter;
import dev.offpeak.cli.source.ReadSource;
import dev.offpeak.result.read.Overviews;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Every job with its progress and totals. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = {"Jobs with their state, progress, cost and savings (analytics.job_status).",
                "Reads the local stack's database, a deployment's read API (--read-url, --token: that tenant's jobs) "
                        + "or a database (--jdbc-url)."})
public final class JobsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SourceOptions source;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ReadSource from = source.open()) {
            Overviews.Tenanted jobs = from.jobs();
            out.println("source: " + from.describe());
            TablePrinter.print(jobs.table(), out);
        }
        return 0;
    }
}
