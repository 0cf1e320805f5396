package dev.offpeak.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The dashboard and its provisioning agree: every panel uses a provisioned data source, the PostgreSQL
 * data source logs in as the analyst login the init script creates, and the dashboard covers what the
 * issue asks for. LiveStackIT runs every query of it against a running stack.
 */
class GrafanaDashboardTest {
    private final JsonNode dashboard = DeployFiles.json("deploy/grafana/dashboards/offpeak.json");
    private final JsonNode datasources = DeployFiles.yaml("deploy/grafana/provisioning/datasources/offpeak.yaml");

    @Test
    void everyPanelUsesAProvisionedDataSource() {
        Set<String> provisioned = new TreeSet<>();
        datasources.path("datasources").forEach(d -> provisioned.add(d.path("uid").asText()));
        assertThat(provisioned).containsExactlyInAnyOrder("offpeak-prometheus", "offpeak-postgres");
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(provisioned).contains(target.path("datasource").path("uid").asText());
            }
        }
    }

    @Test
    void postgresIsReadThroughTheAnalystLogin() {
        JsonNode pg = null;
        for (JsonNode d : datasources.path("datasources")) {
            if (d.path("uid").asText().equals("offpeak-postgres")) {
                pg = d;
            }
        }
        assertThat(pg).isNotNull();
        String user = pg.path("user").asText();
        assertThat(DeployFiles.text("deploy/postgres/analyst-login.psql"))
                .contains("CREATE ROLE " + user + " LOGIN").contains("IN ROLE offpeak_analyst");
        assertThat(DeployFiles.text("result-service/src/main/resources/db/migration/V3__analyst_views.sql"))
                .as("the role the login joins is the one the migration grants the views to")
                .contains("GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO offpeak_analyst");
        assertThat(pg.path("secureJsonData").path("password").asText()).startsWith("$");
    }

    @Test
    void theDashboardCoversSpendSavingsEfficiencyBatchesTurnaroundErrorsAndBudgets() {
        String sql = String.join("\n", MetricNames.dashboardSql(dashboard).stream().map(q -> q[1]).toList());
        assertThat(sql).contains("analytics.spend_daily").contains("analytics.efficiency_daily")
                .contains("analytics.batch_health").contains("analytics.task_costs").contains("analytics.job_status")
                .contains("GROUP BY tenant").contains("GROUP BY provider, model").contains("day::timestamp AS time");
        String promql = String.join("\n", MetricNames.dashboardPromQl(dashboard).stream().map(q -> q[1]).toList());
        assertThat(promql).contains("offpeak_result_batches").contains("offpeak_batcher_dlq_total")
                .contains("offpeak:tokens_quota:saturation").contains("offpeak_result_poll_calls_total")
                .contains("offpeak_budget_limit_usd").contains("offpeak_budget_spent_usd")
                .contains("offpeak_budget_reserved_usd").contains("offpeak:task_cost_usd:p95_1h");
        assertThat(DeployFiles.yaml("deploy/grafana/provisioning/dashboards/offpeak.yaml")
                .path("providers").get(0).path("options").path("path").asText())
                .isEqualTo("/var/lib/grafana/dashboards");
    }
}
