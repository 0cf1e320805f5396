package dev.offpeak.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.cli.local.LocalPostgres;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `offpeak demo` at a small size, twice on one data folder. The printed report is checked against
 * SQL written here, independently of the report's own queries, on the database the demo left.
 */
class DemoIT {
    private static final Pattern JOB = Pattern.compile("Offpeak cost report: job (\\S+)");

    @TempDir
    Path dataDir;

    @Test
    void reportsFiguresThatMatchTheDatabaseAndASecondRunWorksOnTheSameData() throws Exception {
        Cli first = Cli.run("demo", "--size", "400", "--seed", "42", "--data-dir", dataDir.toString());
        assertThat(first.exitCode()).as("demo output:%n%s%n%s", first.out(), first.err()).isZero();
        String job = job(first.out());
        // every task, late duplicates included, ends within seconds of its answer's settlement
        assertThat(first.out()).containsPattern("slowest task ended \\d+\\.\\d s after its answer settled \\(0 of 400 over 5 s\\)");

        Cli second = Cli.run("demo", "--size", "300", "--seed", "43", "--data-dir", dataDir.toString());
        assertThat(second.exitCode()).as("second demo on the same data:%n%s%n%s", second.out(), second.err()).isZero();
        assertThat(job(second.out())).isNotEqualTo(job);

        try (LocalPostgres postgres = LocalPostgres.start(dataDir.resolve("postgres"));
             Connection c = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "")) {
            checkAgainstDatabase(c, job, 400, first.out());
            checkAgainstDatabase(c, job(second.out()), 300, second.out());
            reportCommandsAgreeWithTheDatabase(c, postgres.jdbcUrl());
        }
    }

    /** offpeak status / jobs / costs read the same views and print the same figures. */
    private static void reportCommandsAgreeWithTheDatabase(Connection c, String jdbcUrl) throws Exception {
        Cli status = Cli.run("status", "--jdbc-url", jdbcUrl, "--user", "postgres");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).containsPattern("succeeded\\s+700\\s");
        Cli jobs = Cli.run("jobs", "--jdbc-url", jdbcUrl, "--user", "postgres");
        assertThat(jobs.exitCode()).as(jobs.err()).isZero();
        assertThat(jobs.out()).contains("completed").contains("nightly-");
        Cli costs = Cli.run("costs", "--by", "tenant", "--jdbc-url", jdbcUrl, "--user", "postgres");
        assertThat(costs.exitCode()).as(costs.err()).isZero();
        try (var st = c.createStatement(); var rs = st.executeQuery(
                "SELECT tenant, sum(cost_usd), sum(saved_usd) FROM tasks GROUP BY tenant")) {
            while (rs.next()) {
                assertThat(costs.out()).containsPattern(rs.getString(1) + "\\s.*\\s"
                        + java.util.regex.Pattern.quote(rs.getBigDecimal(2).stripTrailingZeros().toPlainString()) + "\\s.*\\s"
                        + java.util.regex.Pattern.quote(rs.getBigDecimal(3).stripTrailingZeros().toPlainString()) + "\\s");
            }
        }
        assertThat(Cli.run("costs", "--by", "color").exitCode()).isEqualTo(2);
    }

    private static void checkAgainstDatabase(Connection c, String job, int size, String report) throws Exception {
        long tasks = number(c, "SELECT count(*) FROM tasks WHERE job_id = ?", job);
        long duplicates = number(c, "SELECT count(*) FROM tasks WHERE job_id = ? AND duplicate", job);
        long unique = number(c, "SELECT count(DISTINCT request_id) FROM tasks WHERE job_id = ?", job);
        long open = number(c, "SELECT count(*) FROM tasks WHERE job_id = ? AND status = 'accepted'", job);
        long succeeded = number(c, "SELECT count(*) FROM tasks WHERE job_id = ? AND status = 'succeeded'", job);
        long lines = number(c, "SELECT count(*) FROM results WHERE request_id IN "
                + "(SELECT request_id FROM tasks WHERE job_id = ?)", job);
        long batches = number(c, "SELECT count(DISTINCT batch_id) FROM batch_items WHERE request_id IN "
                + "(SELECT request_id FROM tasks WHERE job_id = ?)", job);
        BigDecimal billed = money(c, "SELECT sum(cost_usd) FROM tasks WHERE job_id = ?", job);
        BigDecimal billedByResults = money(c, "SELECT sum(cost_usd) FROM results WHERE request_id IN "
                + "(SELECT request_id FROM tasks WHERE job_id = ?)", job);
        BigDecimal sync = money(c, "SELECT sum(sync_cost_usd) FROM tasks WHERE job_id = ?", job);
        BigDecimal saved = money(c, "SELECT sum(saved_usd) FROM tasks WHERE job_id = ?", job);
        BigDecimal list = money(c, "SELECT sum(list_cost_usd) FROM tasks WHERE job_id = ?", job);
        BigDecimal byDedup = money(c, "SELECT sum(list_cost_usd) FROM tasks WHERE job_id = ? AND duplicate", job);
        BigDecimal byCaching = money(c, "SELECT sum(list_cost_usd - sync_cost_usd) FROM tasks WHERE job_id = ?"
                + " AND NOT duplicate", job);
        BigDecimal byBatch = money(c, "SELECT sum(sync_cost_usd - cost_usd) FROM tasks WHERE job_id = ? AND NOT duplicate",
                job);

        // the database adds up
        assertThat(tasks).isEqualTo(size);
        assertThat(open).isZero();
        assertThat(succeeded).isEqualTo(tasks);
        assertThat(unique + duplicates).isEqualTo(tasks);
        assertThat(lines).as("one settled line per unique request").isEqualTo(unique);
        assertThat(billed).isEqualByComparingTo(billedByResults);
        assertThat(billed.add(saved)).isEqualByComparingTo(sync);
        assertThat(billed).isPositive().isLessThan(sync);
        // the three savings add up to list - billed exactly
        assertThat(byDedup.add(byCaching).add(byBatch)).isEqualByComparingTo(list.subtract(billed));
        assertThat(list).isGreaterThan(billed);
        // the demo asked for 18% duplicates
        assertThat((double) duplicates / tasks).isBetween(0.08, 0.30);

        // and the report printed exactly these figures
        assertThat(report).containsPattern("tasks\\s+" + fmt(tasks) + "\\R")
                .containsPattern("unique requests\\s+" + fmt(unique) + "\\R")
                .containsPattern("duplicates\\s+" + fmt(duplicates) + " ")
                .containsPattern("batches\\s+.*\\(" + batches + "\\)")
                .containsPattern("lines settled\\s+succeeded " + fmt(lines) + "\\R")
                .contains("billed cost       $" + billed.setScale(4, RoundingMode.HALF_UP).toPlainString())
                .contains("sync-equivalent   $" + sync.setScale(4, RoundingMode.HALF_UP).toPlainString())
                .contains("list              $" + list.setScale(4, RoundingMode.HALF_UP).toPlainString())
                .contains("dedup $" + byDedup.setScale(4, RoundingMode.HALF_UP).toPlainString() + ", caching $"
                        + byCaching.setScale(4, RoundingMode.HALF_UP).toPlainString() + ", batch discount $"
                        + byBatch.setScale(4, RoundingMode.HALF_UP).toPlainString())
                .contains("anthropic", "gemini", "openai", "gpt-4o-mini", "claude-haiku-4-5", "gemini-2.5-flash");
    }

    private static String job(String out) {
        Matcher m = JOB.matcher(out);
        assertThat(m.find()).as("report printed:%n%s", out).isTrue();
        return m.group(1);
    }

    private static String fmt(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static long number(Connection c, String sql, String job) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static BigDecimal money(Connection c, String sql, String job) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1) == null ? BigDecimal.ZERO : rs.getBigDecimal(1);
            }
        }
    }
}
