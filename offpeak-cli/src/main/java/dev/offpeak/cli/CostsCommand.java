package dev.offpeak.cli;

import dev.offpeak.cli.report.TablePrinter;
import dev.offpeak.cli.source.ReadSource;
import dev.offpeak.result.read.Overviews;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Spend and savings grouped one way, from analytics.spend_daily, then where each budget stands. */
@Command(name = "costs", mixinStandardHelpOptions = true,
        description = {"Billed, list-price and saved dollars by tenant, job, model or day (analytics.spend_daily), "
                + "then each active budget's standing in its current period: limit, spent, reserved, left, %% used "
                + "(analytics.budget_standing).",
                "Reads the local stack's database, a deployment's read API (--read-url, --token: that tenant's spend) "
                        + "or a database (--jdbc-url: every tenant)."})
public final class CostsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SourceOptions source;

    @Option(names = "--by", defaultValue = "tenant", description = "tenant, job, model or day (default: ${DEFAULT-VALUE}).")
    Overviews.CostsBy by;

    @Option(names = "--since", description = "Only days on or after this date (YYYY-MM-DD).")
    LocalDate since;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ReadSource from = source.open()) {
            Overviews.Tenanted costs = from.costs(by, Optional.ofNullable(since));
            Overviews.Tenanted budgets = from.budgets();
            out.println("source: " + from.describe());
            TablePrinter.print(costs.table(), out);
            out.println();
            if (budgets.table().rows().isEmpty()) {
                out.println("no budgets");
            } else {
                out.println("Budgets");
                TablePrinter.print(budgets.table(), out);
            }
            out.flush();
        }
        return 0;
    }
}
