package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.emulator.Provider;
import dev.offpeak.result.budget.Budget;
import dev.offpeak.result.budget.BudgetStore;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.PostgresDatabase;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/analytics.md cannot rot: every query in it runs here, as the read-only analyst role, against a
 * database populated by the real money path. The role reads the views and nothing else.
 */
@RealKafka
@RealPostgres
class AnalyticsDocsIT {
    private static final Path DOC = Path.of("..", "docs", "analytics.md");
    private static final List<String> TABLES =
            List.of("tasks", "requests", "batches", "batch_items", "results", "prices", "outbox", "jobs", "intake_rejects",
                    "budgets", "budget_charges", "budget_alerts");
    private static final List<String> VIEWS =
            List.of("task_costs", "spend_daily", "job_status", "batch_health", "efficiency_daily", "budget_standing");

    @TempDir
    Path temp;

    @Test
    void everyDocumentedQueryRunsAsTheAnalystAndReturnsRows(KafkaCluster kafka, PostgresDatabase db) throws Exception {
        populate(kafka, db);
        List<String> queries = queries();
        assertThat(queries).hasSize(13);
        try (Connection analyst = analyst(db)) {
            for (String sql : queries) {
                try (Statement st = analyst.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                    assertThat(rs.next()).as("no rows from:\n" + sql).isTrue();
                }
            }
        }
    }

    @Test
    void analystRoleIsRefusedEveryTableReadAndEveryWrite(KafkaCluster kafka, PostgresDatabase db) throws Exception {
        try (Connection analyst = analyst(db)) {
            for (String view : VIEWS) {
                try (Statement st = analyst.createStatement()) {
                    st.executeQuery("SELECT * FROM analytics." + view + " LIMIT 1").close();
                }
                refused(analyst, "DELETE FROM analytics." + view);
            }
            for (String table : TABLES) {
                refused(analyst, "SELECT * FROM " + table + " LIMIT 1");
                refused(analyst, "DELETE FROM " + table);
                refused(analyst, "UPDATE " + table + " SET " + firstColumn(db, table) + " = NULL");
                refused(analyst, "TRUNCATE " + table);
            }
            refused(analyst, "INSERT INTO tasks (tenant, task_id) VALUES ('x', 'y')");
            refused(analyst, "CREATE TABLE analytics.mine (x int)");
            refused(analyst, "CREATE TABLE public.mine (x int)");
        }
    }

    private static void refused(Connection analyst, String sql) {
        assertThatThrownBy(() -> {
            try (Statement st = analyst.createStatement()) {
                st.execute(sql);
            }
        }).as(sql).isInstanceOf(SQLException.class)
                .hasMessageMatching("(?s).*(permission denied|cannot (delete from|update|insert into) view).*");
    }

    private static String firstColumn(PostgresDatabase db, String table) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns WHERE table_name = '"
                     + table + "' ORDER BY ordinal_position LIMIT 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A fresh login user holding only the offpeak_analyst role. */
    private static Connection analyst(PostgresDatabase db) throws SQLException {
        String user = "analyst_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection admin = db.dataSource().getConnection(); Statement st = admin.createStatement()) {
            st.execute("CREATE ROLE " + user + " LOGIN PASSWORD 'analyst-pw' IN ROLE offpeak_analyst");
        }
        // the test database's URL names its admin user; connect with the analyst's own name instead
        String url = db.jdbcUrl().replaceAll("([?&])user=[^&]*&?", "$1").replaceAll("[?&]$", "");
        Connection c = DriverManager.getConnection(url, user, "analyst-pw");
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(user);
        }
        return c;
    }

    static List<String> queries() throws IOException {
        Matcher m = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1).trim().replaceAll(";$", ""));
        }
        return out;
    }

    private void populate(KafkaCluster kafka, PostgresDatabase db) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, db.dataSource(), temp, Submitter.CrashPoint.NONE)) {
            new BudgetStore(h.db).put(new Budget("acme-total", "acme", null, null, null, Budget.Period.NONE,
                    new BigDecimal("100"), Budget.Mode.SOFT, Budget.DEFAULT_THRESHOLDS, true), h.clock.instant());
            h.emulator.faults().failAllLinesOfNextBatch(Provider.ANTHROPIC);
            h.publish(PipelineFixture.batch("b-docs-openai", PipelineFixture.OPENAI, 6, 2, h.clock.instant()));
            h.publish(PipelineFixture.batch("b-docs-anthropic", PipelineFixture.ANTHROPIC, 3, 1, h.clock.instant()));
            h.publish(PipelineFixture.batch("b-docs-gemini", PipelineFixture.GEMINI, 4, 0, h.clock.instant()));
            h.intakeUntil(16, 3);
            h.runUntilQuiet(60);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'accepted'")).isZero();
        }
    }
}
