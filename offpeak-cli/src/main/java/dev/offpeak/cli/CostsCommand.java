package dev.offpeak.cli;

import dev.offpeak.cli.report.SqlTable;
import java.io.PrintWriter;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Spend and savings grouped one way, from analytics.spend_daily. */
@Command(name = "costs", mixinStandardHelpOptions = true,
        description = "Billed, list-price and saved dollars by tenant, job, model or day (analytics.spend_daily).")
public final class CostsCommand implements Callable<Integer> {
    /** The groupings offered, each a fixed column list (never text from the command line in SQL). */
    enum By {
        tenant("tenant"), job("tenant, job_id"), model("provider, model"), day("day");

        final String columns;

        By(String columns) {
            this.columns = columns;
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--by", defaultValue = "tenant", description = "tenant, job, model or day (default: ${DEFAULT-VALUE}).")
    By by;

    @Option(names = "--since", description = "Only days on or after this date (YYYY-MM-DD).")
    LocalDate since;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Object> params = new ArrayList<>();
        String where = "";
        if (since != null) {
            where = " WHERE day >= ?";
            params.add(since);
        }
        try (Connection c = database.connect()) {
            SqlTable.print(c, "SELECT " + by.columns + ", sum(tasks) AS tasks, sum(duplicates) AS duplicates,"
                    + " sum(cost_usd) AS billed_usd, sum(sync_cost_usd) AS list_price_usd, sum(saved_usd) AS saved_usd,"
                    + " round(100 * sum(saved_usd) / nullif(sum(sync_cost_usd), 0), 1) AS saved_pct"
                    + " FROM analytics.spend_daily" + where + " GROUP BY " + by.columns + " ORDER BY " + by.columns,
                    params, out);
        }
        return 0;
    }
}
