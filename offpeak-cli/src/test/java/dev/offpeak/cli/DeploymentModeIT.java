package dev.offpeak.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.cli.local.Endpoints;
import dev.offpeak.cli.local.LocalStack;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.topics.Topics;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a deployment. A local stack in this JVM stands in for it, and the commands reach it
 * only by URL and token (or a JDBC URL), from a data folder without endpoints.json. The submit goes
 * through a proxy that breaks the first connection halfway through the upload.
 */
class DeploymentModeIT {
    private static final String JOB = "deploy-1";
    private static final int TASKS = 300;

    @TempDir
    static Path dir;

    private static LocalStack stack;
    private static Endpoints endpoints;
    private static Path elsewhere;
    private static CuttingProxy proxy;
    private static Cli submit;
    private static final List<Cli> runs = new ArrayList<>();

    @BeforeAll
    static void startTheStackAndSubmitThroughAProxyThatDropsTheFirstConnection() throws Exception {
        stack = LocalStack.start(new LocalStack.Options(dir.resolve("stack"), List.of(), Duration.ofSeconds(5)), line -> {});
        endpoints = stack.endpoints();
        elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path file = Files.write(dir.resolve("tasks.jsonl"), taskLines());
        proxy = CuttingProxy.start(endpoints.ingestUrl(), Files.size(file) / 2);
        submit = run("submit", file.toString(), "--job", JOB, "--wait", "--url", proxy.url(),
                "--read-url", endpoints.resultUrl(), "--token", endpoints.token(), "--data-dir", elsewhere.toString(),
                "--timeout", "3m");
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (stack != null) {
            stack.close();
        }
        for (Cli cli : runs) {
            assertThat(cli.out() + cli.err()).as("a token is never printed").doesNotContain(endpoints.token())
                    .doesNotContain(endpoints.adminToken()).doesNotContain("not-the-token");
        }
    }

    @Test
    void aDroppedConnectionIsResumedAndEveryTaskIsAcceptedOnce() throws Exception {
        assertThat(submit.exitCode()).as("submit:%n%s%n%s", submit.out(), submit.err()).isZero();
        assertThat(proxy.cuts()).as("the proxy broke the first upload").isEqualTo(1);
        assertThat(submit.out())
                .contains("resending 300 lines (lines 1-300) after a dropped connection")
                .contains("300 accepted, 0 rejected; job deploy-1 sealed")
                .contains("resent 300 lines after a dropped connection; each task counted once (task_id)")
                .contains("300/300 settled (0 failed), 300 accepted");
        // the broken upload had reached ingest in part: those tasks went to Kafka twice, and count once
        assertThat(recordsOnTheTasksTopic()).as("records on offpeak.tasks").isGreaterThan(TASKS);
        try (Connection c = DriverManager.getConnection(endpoints.jdbcUrl(), endpoints.jdbcUser(), "");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*), count(DISTINCT task_id) FROM tasks WHERE job_id = '" + JOB + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(TASKS);
            assertThat(rs.getLong(2)).isEqualTo(TASKS);
        }
    }

    @Test
    void submitWaitOnADeploymentPrintsTheReportLocalModePrints() {
        assertThat(submit.out()).contains("Offpeak cost report: job deploy-1 of tenant local")
                .contains("  source            read API " + endpoints.resultUrl() + " (tenant local)");
        Cli local = run("report", JOB, "--tenant", endpoints.tenant(), "--data-dir", dir.resolve("stack").toString());
        assertThat(local.exitCode()).as(local.err()).isZero();
        assertThat(local.out()).contains("  source            database " + endpoints.jdbcUrl());
        List<String> fromReadApi = reportLines(submit.out());
        assertThat(fromReadApi).hasSizeGreaterThan(12).anyMatch(l -> l.startsWith("  tasks             300"));
        assertThat(fromReadApi).isEqualTo(reportLines(local.out()));
    }

    @Test
    void statusJobsAndCostsPrintTheSameFiguresFromTheReadApiTheDatabaseAndLocalMode() {
        for (List<String> command : List.of(List.of("status"), List.of("jobs"), List.of("costs", "--by", "model"),
                List.of("costs", "--by", "job"))) {
            Cli local = run(args(command, "--data-dir", dir.resolve("stack").toString()));
            Cli api = run(args(command, "--read-url", endpoints.resultUrl(), "--token", endpoints.token(),
                    "--data-dir", elsewhere.toString()));
            Cli database = run(args(command, "--jdbc-url", endpoints.jdbcUrl(), "--user", endpoints.jdbcUser(),
                    "--data-dir", elsewhere.toString()));
            for (Cli cli : List.of(local, api, database)) {
                assertThat(cli.exitCode()).as("%s:%n%s%n%s", command, cli.out(), cli.err()).isZero();
            }
            assertThat(local.out()).startsWith("source: database " + endpoints.jdbcUrl() + " (user postgres, local stack)");
            assertThat(api.out()).startsWith("source: read API " + endpoints.resultUrl() + " (tenant local)");
            assertThat(database.out()).startsWith("source: database " + endpoints.jdbcUrl() + " (user postgres)");
            assertThat(figures(local.out())).as(command + " locally").hasSizeGreaterThan(1);
            assertThat(figures(api.out())).as(command + " from the read API").isEqualTo(figures(local.out()));
            assertThat(figures(database.out())).as(command + " from the database").isEqualTo(figures(local.out()));
        }
        assertThat(run("jobs", "--data-dir", dir.resolve("stack").toString()).out()).contains(JOB).contains("completed");
    }

    @Test
    void costsShowsWhereEachBudgetStandsFromTheReadApiTheDatabaseAndLocalMode() throws Exception {
        String[] local = {"--data-dir", dir.resolve("stack").toString()};
        String[] api = {"--read-url", endpoints.resultUrl(), "--token", endpoints.token(), "--data-dir",
                elsewhere.toString()};
        String[] database = {"--jdbc-url", endpoints.jdbcUrl(), "--user", endpoints.jdbcUser(), "--data-dir",
                elsewhere.toString()};
        try (Connection c = DriverManager.getConnection(endpoints.jdbcUrl(), endpoints.jdbcUser(), "")) {
            try {
                for (List<String> set : List.of(
                        List.of("costs-daily", "--tenant", "local", "--limit", "25.00", "--period", "day", "--mode", "hard"),
                        List.of("costs-month", "--tenant", "local", "--limit", "10", "--period", "month", "--mode", "soft",
                                "--metadata", "feature=summaries"),
                        List.of("costs-other", "--tenant", "other", "--limit", "0", "--period", "none", "--mode", "hard",
                                "--job", "j-1"))) {
                    List<String> command = new ArrayList<>(List.of("budgets", "set"));
                    command.addAll(set);
                    Cli cli = run(args(command, local));
                    assertThat(cli.exitCode()).as(cli.err()).isZero();
                }
                // the ledger: two charges in today's period, one in yesterday's (not counted), one for the life budget
                c.createStatement().executeUpdate("""
                        WITH p AS (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS today)
                        INSERT INTO budget_charges (budget_id, period_start, tenant, task_id, request_id, batch_id,
                                                    reserved_usd, spent_usd, state, reserved_at, settled_at)
                        SELECT v.budget_id, v.period_start, v.tenant, v.task_id, 'r-' || v.task_id, 'costs-batch',
                               v.reserved_usd, v.spent_usd, v.state, now(), CASE WHEN v.state = 'settled' THEN now() END
                          FROM p, LATERAL (VALUES
                               ('costs-daily', p.today, 'local', 'costs-t1', 0::numeric, 12.500123, 'settled'),
                               ('costs-daily', p.today, 'local', 'costs-t2', 0.31, 0, 'reserved'),
                               ('costs-daily', p.today - interval '1 day', 'local', 'costs-t3', 0, 99, 'settled'),
                               ('costs-other', 'epoch'::timestamptz, 'other', 'costs-t4', 0, 0.000123, 'settled'))
                               AS v (budget_id, period_start, tenant, task_id, reserved_usd, spent_usd, state)""");
                LocalDate today = LocalDate.now(ZoneOffset.UTC);
                List<String> daily = List.of("costs-daily", "tenant", "local", "day", today.toString(), "hard", "25",
                        "12.500123", "0.31", "12.189877", "51.2");
                List<String> month = List.of("costs-month", "tenant", "local,", "metadata", "feature=summaries", "month",
                        today.withDayOfMonth(1).toString(), "soft", "10", "0", "0", "10", "0.0");
                List<String> other = List.of("costs-other", "tenant", "other,", "job", "j-1", "none", "hard", "0",
                        "0.000123", "0", "0", "-");
                List<String> header = List.of("budget", "scope", "period", "mode", "limit", "spent", "reserved", "left",
                        "%", "used");
                assertThat(budgetFigures(costs(local))).isEqualTo(List.of(header, daily, month, other));
                assertThat(budgetFigures(costs(database))).as("every tenant's").isEqualTo(List.of(header, daily, month, other));
                assertThat(budgetFigures(costs(api))).as("the token's tenant's").isEqualTo(List.of(header, daily, month));
            } finally {
                c.createStatement().executeUpdate("UPDATE budgets SET active = false WHERE budget_id LIKE 'costs-%'");
            }
        }
        for (String[] source : List.of(local, api, database)) {
            String out = costs(source);
            assertThat(out).doesNotContain("Budgets");
            assertThat(out.lines().toList().getLast()).isEqualTo("no budgets");
        }
    }

    @Test
    void aWrongTokenOrUrlIsOneClearLineAndUsageErrorsExitTwo() throws Exception {
        Cli wrongToken = run("status", "--read-url", endpoints.resultUrl(), "--token", "not-the-token");
        assertThat(wrongToken.exitCode()).isEqualTo(1);
        assertThat(wrongToken.err().strip()).isEqualTo("offpeak status: the read API at " + endpoints.resultUrl()
                + " rejected the token (401): check --token (or OFFPEAK_TOKEN)");
        Path file = Files.write(dir.resolve("one.jsonl"), taskLines().subList(0, 1));
        Cli wrongIngestToken = run("submit", file.toString(), "--job", "deploy-2", "--url", endpoints.ingestUrl(),
                "--token", "not-the-token", "--data-dir", elsewhere.toString());
        assertThat(wrongIngestToken.exitCode()).isEqualTo(1);
        assertThat(wrongIngestToken.err()).contains("ingest at " + endpoints.ingestUrl() + " rejected the token (401)");

        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Cli nothingThere = run("jobs", "--read-url", "http://127.0.0.1:" + closed, "--token", endpoints.token());
        assertThat(nothingThere.exitCode()).isEqualTo(1);
        assertThat(nothingThere.err()).contains("cannot connect to the read API at http://127.0.0.1:" + closed
                + " (4 attempts over").contains("check --read-url");
        Cli ingestIsNotTheReadApi = run("jobs", "--read-url", endpoints.ingestUrl(), "--token", endpoints.token());
        assertThat(ingestIsNotTheReadApi.exitCode()).isEqualTo(1);
        assertThat(ingestIsNotTheReadApi.err()).contains(endpoints.ingestUrl()).contains("404");

        assertThat(run("status", "--read-url", endpoints.resultUrl(), "--data-dir", elsewhere.toString()).exitCode())
                .as("a read URL without a token").isEqualTo(2);
        assertThat(run("jobs", "--read-url", endpoints.resultUrl(), "--token", "t", "--jdbc-url", endpoints.jdbcUrl())
                .exitCode()).as("two sources").isEqualTo(2);
        Cli waitWithoutReadApi = run("submit", file.toString(), "--job", "deploy-3", "--wait", "--url",
                endpoints.ingestUrl(), "--token", endpoints.token(), "--data-dir", elsewhere.toString());
        assertThat(waitWithoutReadApi.exitCode()).isEqualTo(2);
        assertThat(waitWithoutReadApi.err()).contains("--read-url");
    }

    @Test
    void budgetsAreSetListedAndDisabledThroughTheAdminApiOfADeploymentAndOfTheLocalStack() {
        String[] deployment = {"--read-url", endpoints.resultUrl(), "--admin-token", endpoints.adminToken(),
                "--data-dir", elsewhere.toString()};
        String[] local = {"--data-dir", dir.resolve("stack").toString()};
        Cli set = run(args(List.of("budgets", "set", "deploy-daily", "--tenant", "local", "--limit", "25.00",
                "--period", "day", "--mode", "hard"), deployment));
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).contains("budget deploy-daily set at " + endpoints.resultUrl())
                .containsPattern("deploy-daily\\s+tenant local\\s+day\\s+hard\\s+25\\s+0\\s+0\\s+25\\s+0\\.0");
        Cli scoped = run(args(List.of("budgets", "set", "deploy.job~1", "--tenant", "local", "--limit", "3",
                "--period", "none", "--mode", "soft", "--job", JOB, "--metadata", "feature=x=y", "--thresholds",
                "0.9,0.5"), local));
        assertThat(scoped.exitCode()).as(scoped.err()).isZero();

        Cli list = run(args(List.of("budgets", "list"), local));
        assertThat(list.exitCode()).as(list.err()).isZero();
        List<String> lines = list.out().lines().toList();
        assertThat(lines.getFirst().strip().split("\\s+")).containsExactly("budget", "scope", "period", "mode",
                "limit", "spent", "reserved", "left", "%", "used");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).contains("deploy-daily").contains("tenant local ");
        assertThat(lines.get(2)).contains("deploy.job~1").contains("tenant local, job " + JOB + ", metadata feature=x=y")
                .contains("none").contains("soft");
        assertThat(run(args(List.of("budgets", "list"), deployment)).out()).isEqualTo(list.out());
        assertThat(run(args(List.of("budgets", "list", "--tenant", "nobody"), local)).out()).contains("(none)");

        Cli bad = run(args(List.of("budgets", "set", "deploy-bad", "--tenant", "local", "--limit", "-1", "--period",
                "weekly", "--mode", "hard"), local));
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err().strip()).as("one line").doesNotContain("\n")
                .startsWith("offpeak budgets set: setting budget deploy-bad failed: the admin API at " + endpoints.resultUrl()
                        + " answered HTTP 400: limit_usd: must be a non-negative decimal")
                .contains("period: must be day, month or none, was weekly");
        Cli wrongToken = run("budgets", "list", "--read-url", endpoints.resultUrl(), "--admin-token", "not-the-token");
        assertThat(wrongToken.exitCode()).isEqualTo(1);
        assertThat(wrongToken.err().strip()).isEqualTo("offpeak budgets list: the admin API at " + endpoints.resultUrl()
                + " rejected the admin token (401): check --admin-token (or OFFPEAK_ADMIN_TOKEN)");
        Cli tenantToken = run("budgets", "list", "--read-url", endpoints.resultUrl(), "--admin-token", endpoints.token());
        assertThat(tenantToken.exitCode()).as("a tenant's token is not the admin token").isEqualTo(1);
        assertThat(run("budgets", "list", "--read-url", endpoints.resultUrl(), "--data-dir", elsewhere.toString())
                .exitCode()).as("a deployment without an admin token").isEqualTo(2);

        for (String id : List.of("deploy-daily", "deploy.job~1")) {
            Cli disable = run(args(List.of("budgets", "disable", id, "--tenant", "local"), local));
            assertThat(disable.exitCode()).as(disable.err()).isZero();
            assertThat(disable.out().strip()).isEqualTo("budget " + id + " of tenant local disabled");
        }
        assertThat(run(args(List.of("budgets", "list"), local)).out()).contains("(none)");
        Cli none = run(args(List.of("budgets", "disable", "no-such", "--tenant", "local"), deployment));
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains("answered HTTP 404: no budget no-such of tenant local");
    }

    /** 300 task.submitted lines on two providers, a fifth of them repeating an earlier request. */
    private static List<String> taskLines() {
        SplittableRandom random = new SplittableRandom(11);
        List<ObjectNode> requests = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            boolean anthropic = i % 3 == 0;
            ObjectNode task = Json.mapper().createObjectNode().put("task_id", "d-" + i)
                    .put("provider", anthropic ? "anthropic" : "openai")
                    .put("model", anthropic ? "claude-haiku-4-5" : "gpt-4o-mini")
                    .put("endpoint", anthropic ? "/v1/messages" : "/v1/chat/completions");
            List<ObjectNode> same = requests.stream().filter(r -> r.has("system") == anthropic).toList();
            ObjectNode request = !same.isEmpty() && random.nextDouble() < 0.2 ? same.get(random.nextInt(same.size()))
                    : newRequest(anthropic, random);
            requests.add(request);
            task.set("request", request);
            lines.add(Json.write(task));
        }
        return lines;
    }

    private static ObjectNode newRequest(boolean anthropic, SplittableRandom random) {
        ObjectNode request = Json.mapper().createObjectNode().put("max_tokens", 60);
        if (anthropic) {
            request.putArray("system").addObject().put("type", "text").put("text", "You review contracts.");
        }
        request.putArray("messages").addObject().put("role", "user")
                .put("content", "Summarise clause " + random.nextLong(1_000_000_000L) + " in one line, padded "
                        + "x".repeat(120));
        return request;
    }

    private static Cli run(String... args) {
        Cli cli = Cli.run(args);
        runs.add(cli);
        return cli;
    }

    private static String[] args(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(Arrays.asList(more));
        return all.toArray(String[]::new);
    }

    /** What {@code offpeak costs} prints, read from {@code source}; it must succeed. */
    private static String costs(String... source) {
        Cli cli = run(args(List.of("costs"), source));
        assertThat(cli.exitCode()).as("costs %s:%n%s%n%s", Arrays.toString(source), cli.out(), cli.err()).isZero();
        assertThat(cli.out()).contains("billed_usd");
        return cli.out();
    }

    /** The cells of the budgets table that follows the costs table, header first. */
    private static List<List<String>> budgetFigures(String out) {
        List<String> lines = out.lines().toList();
        int title = lines.indexOf("Budgets");
        assertThat(title).as("a budgets table in:%n%s", out).isPositive();
        return lines.subList(title + 1, lines.size()).stream()
                .map(l -> Arrays.asList(l.strip().split("\\s+"))).toList();
    }

    /** The report's lines, without the source and the timing (turnaround) lines. */
    private static List<String> reportLines(String out) {
        List<String> lines = out.lines().toList();
        int start = lines.indexOf(lines.stream().filter(l -> l.startsWith("Offpeak cost report:")).findFirst()
                .orElseThrow(() -> new AssertionError("no report in:\n" + out)));
        return lines.subList(start, lines.size()).stream()
                .filter(l -> !l.startsWith("  source ") && !l.startsWith("  turnaround ")).toList();
    }

    /**
     * The printed cells, line by line, without the source line; a batch's age in its state
     * ({@code oldest_s}) grows between two reads and is left out.
     */
    private static List<List<String>> figures(String out) {
        List<List<String>> figures = new ArrayList<>();
        int ageColumn = -1;
        for (String line : out.lines().toList()) {
            if (line.startsWith("source: ")) {
                continue;
            }
            List<String> cells = new ArrayList<>(Arrays.asList(line.strip().split("\\s+")));
            if (cells.contains("oldest_s")) {
                ageColumn = cells.indexOf("oldest_s");
            } else if (ageColumn >= 0 && cells.size() > ageColumn) {
                cells.remove(ageColumn);
            }
            figures.add(cells);
        }
        return figures;
    }

    private static long recordsOnTheTasksTopic() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TASKS.name(), Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            return consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
