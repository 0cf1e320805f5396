package dev.offpeak.cli;

import dev.offpeak.cli.report.SqlTable;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Every job with its progress and totals. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Jobs with their state, progress, cost and savings (analytics.job_status).")
public final class JobsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Connection c = database.connect()) {
            SqlTable.print(c, """
                    SELECT tenant, job_id, state, tasks, open, succeeded, failed + expired + cancelled AS not_succeeded,
                           duplicates, cost_usd, saved_usd, first_submitted_at, completed_at
                      FROM analytics.job_status ORDER BY first_submitted_at DESC NULLS LAST, job_id""", List.of(), out);
        }
        return 0;
    }
}
