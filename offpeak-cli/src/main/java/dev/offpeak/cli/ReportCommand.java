package dev.offpeak.cli;

import dev.offpeak.cli.report.ReportPrinter;
import dev.offpeak.cli.source.ReadSource;
import dev.offpeak.result.read.JobReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The cost report of one job, as `submit --wait` prints it at the end, at any later time. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"The cost report of one job (the one `submit --wait` prints): tasks, dedup, batches, billed, "
                + "sync-equivalent, saved, cache rate, turnaround, by provider and model.",
                "Reads the local stack's database (every tenant's tasks of the job), a deployment's read API "
                        + "(--read-url, --token: that tenant's) or a database (--jdbc-url; needs the tables, not only "
                        + "the analytics views)."})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "JOB", description = "The job id.")
    String job;

    @Mixin
    SourceOptions source;

    @Option(names = "--tenant", description = "With a database: only this tenant's tasks of the job (default: every "
            + "tenant's). The read API always answers for the token's tenant.")
    String tenant;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ReadSource from = source.open(tenant)) {
            JobReport report = from.report(job);
            ReportPrinter.print(report, from.describe(), out);
        }
        return 0;
    }
}
