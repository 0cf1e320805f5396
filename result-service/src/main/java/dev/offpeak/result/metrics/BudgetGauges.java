package dev.offpeak.result.metrics;

import dev.offpeak.result.budget.BudgetStore;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.math.BigDecimal;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Refreshes the budgets' gauges from the database, beside {@link BatchGauges} in the same loop: for
 * each active budget its limit ({@value ResultMetrics#BUDGET_LIMIT}), what it spent
 * ({@value ResultMetrics#BUDGET_SPENT}) and what it holds for lines in flight
 * ({@value ResultMetrics#BUDGET_RESERVED}) in its current period, tagged budget, tenant, mode
 * (hard, soft) and period (day, month, none). A budget that is disabled (or whose tags change) stops
 * being exported at the next refresh: each gauge is a {@link MultiGauge} whose rows are replaced
 * wholesale.
 *
 * <p>Every replica exports the same figures (they come from the shared database); the rules take the
 * max across instances. The values are doubles, good for dashboards and alert thresholds; the exact
 * decimal ledger stays in PostgreSQL ({@code budget_standing}, the admin API, {@code offpeak budgets}).
 */
public final class BudgetGauges {
    private final BudgetStore budgets;
    private final InstantSource clock;
    private final MultiGauge limit;
    private final MultiGauge spent;
    private final MultiGauge reserved;

    public BudgetGauges(BudgetStore budgets, InstantSource clock, ResultMetrics metrics) {
        this.budgets = budgets;
        this.clock = clock;
        this.limit = MultiGauge.builder(ResultMetrics.BUDGET_LIMIT)
                .description("an active budget's limit in its period, USD (exact figures are in Postgres)")
                .register(metrics.registry());
        this.spent = MultiGauge.builder(ResultMetrics.BUDGET_SPENT)
                .description("settled cost charged to an active budget in its current period, USD")
                .register(metrics.registry());
        this.reserved = MultiGauge.builder(ResultMetrics.BUDGET_RESERVED)
                .description("worst case held by an active budget for lines in flight in its current period, USD")
                .register(metrics.registry());
    }

    /** One refresh; returns 0 so its loop waits a period before the next one. */
    public int refreshOnce() {
        List<BudgetStore.Standing> standings = budgets.standings(null, clock.instant());
        // overwrite: a row's value is a fixed number, so a row kept from the last refresh is re-registered
        // with the new one; rows of budgets no longer listed (disabled) are removed either way
        limit.register(rows(standings, s -> s.budget().limitUsd()), true);
        spent.register(rows(standings, BudgetStore.Standing::spentUsd), true);
        reserved.register(rows(standings, BudgetStore.Standing::reservedUsd), true);
        return 0;
    }

    private static List<MultiGauge.Row<?>> rows(List<BudgetStore.Standing> standings,
            Function<BudgetStore.Standing, BigDecimal> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>(standings.size());
        for (BudgetStore.Standing s : standings) {
            // a double is enough for a gauge read by dashboards and alert thresholds
            rows.add(MultiGauge.Row.of(tags(s), value.apply(s).doubleValue()));
        }
        return rows;
    }

    private static Tags tags(BudgetStore.Standing s) {
        return Tags.of("budget", s.budget().budgetId(), "tenant", s.budget().tenant(),
                "mode", s.budget().mode().db(), "period", s.budget().period().db());
    }
}
