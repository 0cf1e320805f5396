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
                    .doesNotContain("not-the-token");
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
