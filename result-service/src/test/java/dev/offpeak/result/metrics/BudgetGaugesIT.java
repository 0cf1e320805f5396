package dev.offpeak.result.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.result.budget.Budget;
import dev.offpeak.result.budget.BudgetStore;
import dev.offpeak.result.db.Db;
import dev.offpeak.testsupport.RealPostgres;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The budgets' gauges over a real database: every active budget appears with its limit, spent and
 * reserved in its current period (charges of earlier periods left out), follows the ledger from one
 * refresh to the next, and disappears when it is disabled; a budget whose mode changes is exported
 * under its new tags only. Checked on the Prometheus scrape too (names and labels the rules read).
 */
@RealPostgres
class BudgetGaugesIT {
    private static final Instant NOW = Instant.parse("2026-12-07T15:30:00Z");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void gaugesAppearFollowTheLedgerAndDisappearWhenTheBudgetIsDisabled(DataSource ds) {
        Db db = new Db(ds);
        BudgetStore store = new BudgetStore(db);
        BudgetGauges gauges = new BudgetGauges(store, InstantSource.fixed(NOW), new ResultMetrics(registry));

        gauges.refreshOnce();
        assertThat(registry.find(ResultMetrics.BUDGET_LIMIT).gauges()).as("no budgets, no series").isEmpty();

        store.put(budget("acme-daily", "acme", null, Budget.Period.DAY, "25.00", Budget.Mode.HARD), NOW);
        store.put(budget("acme.nightly~1", "acme", "nightly-7", Budget.Period.NONE, "40", Budget.Mode.SOFT), NOW);
        store.put(budget("globex-month", "globex", null, Budget.Period.MONTH, "100.5", Budget.Mode.SOFT), NOW);
        gauges.refreshOnce();

        assertThat(values(ResultMetrics.BUDGET_LIMIT)).containsExactly(
                Map.entry("acme-daily/acme/hard/day", 25.0),
                Map.entry("acme.nightly~1/acme/soft/none", 40.0),
                Map.entry("globex-month/globex/soft/month", 100.5));
        assertThat(values(ResultMetrics.BUDGET_SPENT).values()).containsOnly(0.0);
        assertThat(values(ResultMetrics.BUDGET_RESERVED).values()).containsOnly(0.0);

        // today: one line settled, one in flight; yesterday's charge is another period
        Instant today = Budget.Period.DAY.start(NOW);
        charge(db, "acme-daily", today, "t-1", "0", "12.5", "settled");
        charge(db, "acme-daily", today, "t-2", "0.31", "0", "reserved");
        charge(db, "acme-daily", today.minus(Duration.ofDays(1)), "t-0", "0", "99", "settled");
        charge(db, "acme.nightly~1", Instant.EPOCH, "t-1", "0", "1.25", "settled");
        gauges.refreshOnce();

        assertThat(values(ResultMetrics.BUDGET_SPENT)).containsExactly(
                Map.entry("acme-daily/acme/hard/day", 12.5),
                Map.entry("acme.nightly~1/acme/soft/none", 1.25),
                Map.entry("globex-month/globex/soft/month", 0.0));
        assertThat(values(ResultMetrics.BUDGET_RESERVED)).containsEntry("acme-daily/acme/hard/day", 0.31);

        // the line in flight settles: its reservation becomes its exact cost
        db.update("UPDATE budget_charges SET reserved_usd = 0, spent_usd = 0.2, state = 'settled' WHERE task_id = 't-2'");
        gauges.refreshOnce();
        assertThat(values(ResultMetrics.BUDGET_SPENT)).containsEntry("acme-daily/acme/hard/day", 12.7);
        assertThat(values(ResultMetrics.BUDGET_RESERVED)).containsEntry("acme-daily/acme/hard/day", 0.0);
        assertThat(registry.scrape())
                .contains("offpeak_budget_limit_usd{budget=\"acme-daily\",mode=\"hard\",period=\"day\",tenant=\"acme\"} 25.0")
                .contains("offpeak_budget_spent_usd{budget=\"acme-daily\",mode=\"hard\",period=\"day\",tenant=\"acme\"} 12.7")
                .contains("offpeak_budget_reserved_usd{budget=\"acme-daily\",mode=\"hard\",period=\"day\",tenant=\"acme\"} 0.0");

        // disabled: gone from every gauge and from the scrape; the others stay
        assertThat(store.disable("acme-daily", "acme", NOW)).isTrue();
        gauges.refreshOnce();
        for (String name : new String[] {ResultMetrics.BUDGET_LIMIT, ResultMetrics.BUDGET_SPENT,
                ResultMetrics.BUDGET_RESERVED}) {
            assertThat(values(name)).as(name).containsOnlyKeys("acme.nightly~1/acme/soft/none",
                    "globex-month/globex/soft/month");
        }
        assertThat(registry.scrape()).doesNotContain("acme-daily")
                .contains("offpeak_budget_limit_usd{budget=\"globex-month\",mode=\"soft\",period=\"month\",tenant=\"globex\"} 100.5");

        // enabled again as a soft budget: exported under its new tags, not its old ones
        store.put(budget("acme-daily", "acme", null, Budget.Period.DAY, "30", Budget.Mode.SOFT), NOW);
        gauges.refreshOnce();
        assertThat(values(ResultMetrics.BUDGET_LIMIT)).containsEntry("acme-daily/acme/soft/day", 30.0)
                .doesNotContainKey("acme-daily/acme/hard/day");
        assertThat(values(ResultMetrics.BUDGET_SPENT)).as("the ledger was kept").containsEntry("acme-daily/acme/soft/day", 12.7);
    }

    private static Budget budget(String id, String tenant, String jobId, Budget.Period period, String limit,
            Budget.Mode mode) {
        return new Budget(id, tenant, jobId, null, null, period, new BigDecimal(limit), mode, Budget.DEFAULT_THRESHOLDS,
                true);
    }

    private static void charge(Db db, String budgetId, Instant periodStart, String taskId, String reserved, String spent,
            String state) {
        db.update("""
                INSERT INTO budget_charges (budget_id, period_start, tenant, task_id, request_id, batch_id, reserved_usd,
                                            spent_usd, state, reserved_at)
                SELECT budget_id, ?, tenant, ?, 'r-' || ?, 'b-1', ?::numeric, ?::numeric, ?, ? FROM budgets WHERE budget_id = ?""",
                periodStart, taskId, taskId, reserved, spent, state, periodStart, budgetId);
    }

    /** "budget/tenant/mode/period" → value, of every gauge named {@code name}, sorted. */
    private Map<String, Double> values(String name) {
        Map<String, Double> values = new TreeMap<>();
        for (Gauge g : Search.in(registry).name(name).gauges()) {
            values.put(g.getId().getTag("budget") + "/" + g.getId().getTag("tenant") + "/" + g.getId().getTag("mode")
                    + "/" + g.getId().getTag("period"), g.value());
        }
        return values;
    }
}
