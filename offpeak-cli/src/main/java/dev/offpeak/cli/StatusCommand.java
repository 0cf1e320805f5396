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

/** Where the pipeline stands: tasks by status, batches by state with their oldest age and errors. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Tasks by status and batches by state (with the oldest age and last error), from the analytics views.")
public final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Connection c = database.connect()) {
            out.println("Tasks");
            SqlTable.print(c, """
                    SELECT status, count(*) AS tasks, count(*) FILTER (WHERE duplicate) AS duplicates,
                           coalesce(sum(cost_usd), 0) AS cost_usd
                      FROM analytics.task_costs GROUP BY status ORDER BY status""", List.of(), out);
            out.println();
            out.println("Batches");
            SqlTable.print(c, """
                    SELECT state, provider, count(*) AS batches, sum(lines) AS lines,
                           round(max(seconds_in_state)) AS oldest_s, count(*) FILTER (WHERE count_mismatch) AS mismatches,
                           max(last_error) AS last_error
                      FROM analytics.batch_health GROUP BY state, provider ORDER BY state, provider""", List.of(), out);
        }
        return 0;
    }
}
