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

/** Where the pipeline stands: tasks by status, batches by state with their oldest age and errors. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Tasks by status and batches by state (with the oldest age and last error), from the analytics views.",
                "Reads the local stack's database, a deployment's read API (--read-url, --token: that tenant's tasks and "
                        + "the batches holding them) or a database (--jdbc-url: every tenant)."})
public final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SourceOptions source;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ReadSource from = source.open()) {
            Overviews.Status status = from.status();
            out.println("source: " + from.describe());
            out.println("Tasks");
            TablePrinter.print(status.tasks(), out);
            out.println();
            out.println("Batches");
            TablePrinter.print(status.batches(), out);
        }
        return 0;
    }
}
