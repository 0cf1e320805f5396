package dev.offpeak.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `offpeak local` starts every piece, publishes its endpoints, stops cleanly, and a restart keeps the data. */
class LocalModeIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void startsPublishesEndpointsStopsCleanlyAndRestartsOnItsData() throws Exception {
        JsonNode first = runLocal(endpoints -> {
            assertThat(endpoints.path("ingest_url").asText()).startsWith("http://localhost:");
            assertThat(endpoints.path("result_url").asText()).startsWith("http://localhost:");
            assertThat(endpoints.path("kafka_bootstrap").asText()).contains(":");
            assertThat(endpoints.path("jdbc_url").asText()).startsWith("jdbc:postgresql://localhost:");
            assertThat(endpoints.path("emulator_url").asText()).startsWith("http://");
            assertThat(endpoints.path("tenant").asText()).isEqualTo("local");
            assertThat(endpoints.path("token").asText()).startsWith("op_local_");
            assertThat(endpoints.path("admin_token").asText()).startsWith("op_admin_");
            assertThat(java.nio.file.Files.getPosixFilePermissions(dataDir.resolve("endpoints.json")))
                    .as("it holds tokens").isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            assertThat(endpoints.path("metrics").fieldNames()).toIterable().containsExactly("batcher", "ingest", "result");

            String ingest = endpoints.path("ingest_url").asText();
            await().atMost(Duration.ofSeconds(60)).until(() -> get(ingest + "/health/ready") == 200);
            for (JsonNode url : endpoints.path("metrics")) {
                assertThat(get(url.asText())).as(url.asText()).isEqualTo(200);
            }
            assertThat(get(endpoints.path("emulator_url").asText() + "/openai/v1/batches")).isIn(200, 401);
            try (Connection c = DriverManager.getConnection(endpoints.path("jdbc_url").asText(), "postgres", "");
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM tasks")) {
                assertThat(rs.next()).as("result-service migrated the database").isTrue();
            }
            try (Connection c = DriverManager.getConnection(endpoints.path("jdbc_url").asText(), "postgres", "")) {
                c.createStatement().execute("CREATE TABLE IF NOT EXISTS restart_marker (id int)");
            }
            submitAnOpenAiBatchFileAndWait();
            aGpt35TurboBatchFileSettlesAndIsPriced(endpoints.path("jdbc_url").asText());
            aFileAskingSyncRunsSynchronously(endpoints.path("jdbc_url").asText());
            aRejectedLineIsReportedWithItsNumber();
        });
        assertThat(refused(first.path("ingest_url").asText())).as("ingest stopped").isTrue();

        JsonNode second = runLocal(endpoints -> {
            try (Connection c = DriverManager.getConnection(endpoints.path("jdbc_url").asText(), "postgres", "");
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM restart_marker")) {
                assertThat(rs.next()).as("the database survived the restart").isTrue();
            }
        });
        assertThat(second.path("token").asText()).as("the local token survives a restart")
                .isEqualTo(first.path("token").asText());
        assertThat(second.path("admin_token").asText()).as("so does the admin token")
                .isEqualTo(first.path("admin_token").asText());
    }

    /** `offpeak submit --wait` with an OpenAI batch input file: every line settles and the report says so. */
    private void submitAnOpenAiBatchFileAndWait() throws IOException {
        Path file = dataDir.resolve("openai-batch.jsonl");
        java.nio.file.Files.write(file, OpenAiBatchFile.lines(300, 0.2));
        Cli cli = Cli.run("submit", file.toString(), "--job", "it-openai", "--wait", "--data-dir", dataDir.toString(),
                "--timeout", "4m");
        assertThat(cli.exitCode()).as("submit output:%n%s%n%s", cli.out(), cli.err()).isZero();
        assertThat(cli.out()).containsPattern("300/300 settled \\(0 failed\\), 300 accepted, 300 batched, 300 submitted, \\$0\\.\\d{4} so far")
                .contains("300 accepted, 0 rejected; job it-openai sealed")
                .contains("300/300 settled")
                .containsPattern("tasks\\s+300\\R")
                .contains("gpt-4o-mini");
    }

    /**
     * An OpenAI batch input file as OpenAI's batch guide writes them (gpt-3.5-turbo, a dated snapshot,
     * a duplicate line): every line settles, priced at gpt-3.5-turbo's registry row.
     */
    private void aGpt35TurboBatchFileSettlesAndIsPriced(String jdbcUrl) throws Exception {
        Path file = dataDir.resolve("openai-batch-gpt-3.5-turbo.jsonl");
        try (var in = LocalModeIT.class.getResourceAsStream("/openai-batch-gpt-3.5-turbo.jsonl")) {
            java.nio.file.Files.copy(in, file);
        }
        Cli cli = Cli.run("submit", file.toString(), "--job", "it-gpt35", "--wait", "--data-dir", dataDir.toString(),
                "--timeout", "4m");
        assertThat(cli.exitCode()).as("submit output:%n%s%n%s", cli.out(), cli.err()).isZero();
        assertThat(cli.out()).contains("6 accepted, 0 rejected; job it-gpt35 sealed").contains("6/6 settled (0 failed)");
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("""
                     SELECT count(*), count(*) FILTER (WHERE r.price_version = 'openai/gpt-3.5-turbo/2020-01-01' AND r.cost_usd > 0)
                       FROM results r JOIN batches b USING (batch_id) WHERE b.model LIKE 'gpt-3.5-turbo%'""")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).as("distinct requests settled (one line repeats)").isEqualTo(5);
            assertThat(rs.getLong(2)).as("priced at gpt-3.5-turbo's row").isEqualTo(5);
        }
    }

    /**
     * `offpeak submit --mode sync`: the mode travels from the upload through ingest and the batcher to
     * result-service, whose lines run as synchronous calls and are priced at the list rates.
     */
    private void aFileAskingSyncRunsSynchronously(String jdbcUrl) throws Exception {
        Path file = dataDir.resolve("openai-sync.jsonl");
        java.nio.file.Files.write(file, OpenAiBatchFile.lines(5, 0).stream()
                .map(line -> line.replace("great product", "asked synchronously").replace("\"req-", "\"sync-")).toList());
        Cli cli = Cli.run("submit", file.toString(), "--job", "it-sync", "--mode", "sync", "--wait", "--data-dir",
                dataDir.toString(), "--timeout", "4m");
        assertThat(cli.exitCode()).as("submit output:%n%s%n%s", cli.out(), cli.err()).isZero();
        assertThat(cli.out()).contains("5/5 settled (0 failed)");
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("""
                     SELECT count(*) FILTER (WHERE r.mode = 'sync' AND r.cost_usd = r.sync_cost_usd AND r.cost_usd > 0),
                            count(*)
                       FROM tasks t JOIN results r ON r.request_id = t.request_id AND r.batch_id = t.result_batch_id
                      WHERE t.job_id = 'it-sync'""")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(2)).isEqualTo(5);
            assertThat(rs.getLong(1)).as("ran synchronously, priced at list").isEqualTo(5);
        }
        Cli bad = Cli.run("submit", file.toString(), "--job", "it-bad-mode", "--mode", "fast", "--data-dir",
                dataDir.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--mode").contains("unknown mode 'fast'");
    }

    private void aRejectedLineIsReportedWithItsNumber() throws IOException {
        Path file = dataDir.resolve("with-a-bad-line.jsonl");
        List<String> lines = new java.util.ArrayList<>(OpenAiBatchFile.lines(3, 0));
        lines.set(1, lines.get(1).replace("gpt-4o-mini", "gpt-99"));
        java.nio.file.Files.write(file, lines);
        Cli cli = Cli.run("submit", file.toString(), "--job", "it-bad", "--data-dir", dataDir.toString());
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.out()).contains("2 accepted, 1 rejected").contains("with-a-bad-line.jsonl: line 2:");
        assertThat(cli.err()).contains("1 line(s) of").contains("were rejected");

        Cli wrongToken = Cli.run("submit", file.toString(), "--job", "it-token", "--data-dir", dataDir.toString(),
                "--token", "not-a-token");
        assertThat(wrongToken.exitCode()).isEqualTo(1);
        assertThat(wrongToken.err()).contains("rejected the token (401)");
    }

    interface Check {
        void run(JsonNode endpoints) throws Exception;
    }

    /** Runs `offpeak local` until the checks are done, then stops it the way Ctrl-C does. */
    private JsonNode runLocal(Check checks) throws Exception {
        LocalCommand command = new LocalCommand();
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--data-dir", dataDir.toString()));
        await().atMost(Duration.ofMinutes(3)).until(() -> command.running != null || exit.isDone());
        assertThat(command.running).as("local mode started; output:%n%s", out).isNotNull();
        JsonNode endpoints = Json.mapper().readTree(dataDir.resolve("endpoints.json").toFile());
        try {
            assertThat(out.toString()).contains("Local mode up").contains(endpoints.path("ingest_url").asText())
                    .as("the admin token is not printed").doesNotContain(endpoints.path("admin_token").asText());
            checks.run(endpoints);
        } finally {
            command.stop.countDown();
            assertThat(exit.get(2, TimeUnit.MINUTES)).isZero();
        }
        assertThat(out.toString()).contains("Stopped.");
        return endpoints;
    }

    private static int get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer k")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static boolean refused(String url) throws InterruptedException {
        try {
            get(url + "/health/live");
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return e.getCause() instanceof ConnectException;
        }
    }
}
