package dev.offpeak.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.cli.http.AdminApi;
import dev.offpeak.cli.report.TablePrinter;
import dev.offpeak.result.budget.Budget;
import dev.offpeak.result.read.Table;
import dev.offpeak.schemas.json.Json;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code offpeak budgets list|set|disable}: spend limits, through result-service's admin API. */
@Command(name = "budgets", mixinStandardHelpOptions = true,
        description = {"List, set and disable budgets (spend limits per tenant, job or metadata value).",
                "Uses result-service's admin API: the local stack's by default, or a deployment's "
                        + "(--read-url, --admin-token)."},
        subcommands = {BudgetsCommand.ListBudgets.class, BudgetsCommand.SetBudget.class,
                BudgetsCommand.DisableBudget.class})
public final class BudgetsCommand implements Runnable {
    private static final List<Table.Column> COLUMNS = List.of(new Table.Column("budget", false),
            new Table.Column("scope", false), new Table.Column("period", false), new Table.Column("mode", false),
            new Table.Column("limit", true), new Table.Column("spent", true), new Table.Column("reserved", true),
            new Table.Column("left", true), new Table.Column("% used", true));

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: list, set or disable");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every active budget and where it stands in its current period (UTC): spent, reserved "
                    + "for lines in flight, left.")
    static final class ListBudgets implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AdminOptions admin;

        @Option(names = "--tenant", description = "Only this tenant's budgets.")
        String tenant;

        @Override
        public Integer call() {
            TablePrinter.print(table(admin.open().budgets(tenant)), spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Create budget ID, or replace it (its ledger stays; the new limit applies from the next line).")
    static final class SetBudget implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID", description = "The budget's id: letters, digits, '.', '_', '~', '-'.")
        String id;

        @Option(names = "--tenant", required = true, description = "The tenant whose tasks it covers.")
        String tenant;

        @Option(names = "--limit", required = true, paramLabel = "USD", description = "The limit in dollars, e.g. 25.00.")
        String limit;

        @Option(names = "--period", required = true, paramLabel = "day|month|none",
                description = "Per UTC day, per UTC month, or for its whole life (none).")
        String period;

        @Option(names = "--mode", required = true, paramLabel = "hard|hold|soft",
                description = "hard: lines that would pass the limit are not sent (their tasks fail); hold: they"
                        + " wait for the next period (day or month budgets); soft: only alerts.")
        String mode;

        @Option(names = "--job", paramLabel = "JOB", description = "Only this job's tasks.")
        String job;

        @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Only tasks whose metadata has KEY=VALUE.")
        String metadata;

        @Option(names = "--thresholds", split = ",", paramLabel = "FRACTION",
                description = "Alert at these fractions of the limit (default: 0.5,0.8,1).")
        List<String> thresholds;

        @Override
        public Integer call() {
            ObjectNode body = Json.mapper().createObjectNode().put("tenant", tenant).put("limit_usd", limit)
                    .put("period", period).put("mode", mode).put("job_id", job);
            if (metadata != null) {
                int eq = metadata.indexOf('=');
                if (eq <= 0) {
                    throw new ParameterException(spec.commandLine(), "--metadata takes KEY=VALUE, not " + metadata);
                }
                body.put("metadata_key", metadata.substring(0, eq)).put("metadata_value", metadata.substring(eq + 1));
            }
            if (thresholds != null) {
                thresholds.forEach(body.putArray("thresholds")::add);
            }
            AdminApi api = admin.open();
            JsonNode standing = api.put(id, body);
            PrintWriter out = spec.commandLine().getOut();
            out.println("budget " + id + " set at " + api.base());
            TablePrinter.print(table(List.of(standing)), out);
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Stop applying budget ID (its ledger is kept; `set` enables it again).")
    static final class DisableBudget implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID", description = "The budget's id.")
        String id;

        @Option(names = "--tenant", required = true, description = "The budget's tenant.")
        String tenant;

        @Override
        public Integer call() {
            admin.open().disable(id, tenant);
            spec.commandLine().getOut().println("budget " + id + " of tenant " + tenant + " disabled");
            return 0;
        }
    }

    /** Budget standings as the admin API answers them, one row each; dollars with their exact digits. */
    static Table table(List<JsonNode> standings) {
        return new Table(COLUMNS, standings.stream().map(b -> List.of(b.path("budget_id").asText(), scope(b),
                b.path("period").asText(), b.path("mode").asText(), usd(b, "limit_usd"), usd(b, "spent_usd"),
                usd(b, "reserved_usd"), usd(b, "left_usd"), used(b))).toList());
    }

    /** "tenant acme, job nightly-7, metadata feature=summaries", as result-service words it. */
    private static String scope(JsonNode b) {
        return new Budget(b.path("budget_id").asText(), b.path("tenant").asText(), b.path("job_id").textValue(),
                b.path("metadata_key").textValue(), b.path("metadata_value").textValue(),
                Budget.Period.of(b.path("period").asText()), money(b, "limit_usd"),
                Budget.Mode.of(b.path("mode").asText()), List.of(), true).scope();
    }

    /** Spent plus reserved, in % of the limit; "-" for a limit of 0. */
    private static String used(JsonNode b) {
        BigDecimal limit = money(b, "limit_usd");
        if (limit.signum() == 0) {
            return "-";
        }
        return money(b, "spent_usd").add(money(b, "reserved_usd")).multiply(BigDecimal.valueOf(100))
                .divide(limit, 1, RoundingMode.HALF_UP).toPlainString();
    }

    private static String usd(JsonNode b, String field) {
        return money(b, field).stripTrailingZeros().toPlainString();
    }

    private static BigDecimal money(JsonNode b, String field) {
        return new BigDecimal(b.path(field).asText());
    }
}
