package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.testsupport.PostgresDatabase;
import dev.offpeak.testsupport.RealPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ResultMain} in its own JVM: a start that cannot succeed ends the process with status 2
 * and one line naming the problem, instead of leaving loops running; a replica's name is held by one
 * live process, and a restart under the name of a killed one takes its leases back at once.
 */
@RealPostgres
class ResultMainIT {
    private static final String PROBLEM_LINE = "Invalid result-service configuration: ";

    record Exit(int code, List<String> lines) {}

    private static Map<String, String> env(PostgresDatabase db, Path temp) {
        Map<String, String> env = new HashMap<>();
        env.put(ResultConfig.DB_URL, db.jdbcUrl());
        env.put(ResultConfig.DB_USER, db.user());
        env.put(ResultConfig.DB_PASSWORD, db.password());
        env.put(ResultConfig.KAFKA_BOOTSTRAP, "127.0.0.1:9"); // never reached: start fails before any loop runs
        env.put(ResultConfig.SPOOL_DIR, temp.resolve("spool").toString());
        return env;
    }

    private static Exit run(Map<String, String> env, Path temp) throws IOException, InterruptedException {
        Path out = temp.resolve("result-main.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), ResultMain.class.getName())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean ended = process.waitFor(90, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(ended).as("the process ended by itself; output:%n%s", String.join("\n", lines)).isTrue();
        return new Exit(process.exitValue(), lines);
    }

    /** Starts {@link ResultMain} and returns once its log says it listens (or fails the test). */
    private static Process startRunning(Map<String, String> env, Path log) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), ResultMain.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(" listening on port ")) {
                return process;
            }
            assertThat(process.isAlive()).as("the service died at start:%n%s", Files.readString(log)).isTrue();
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new AssertionError("the service did not start in 60 s:\n" + Files.readString(log));
    }

    @Test
    void aReplicaUnderALiveReplicasNameIsRefusedAndARestartAfterAKillTakesItsLeasesBackAtOnce(PostgresDatabase db,
            @TempDir Path temp) throws Exception {
        Map<String, String> env = env(db, temp);
        env.put(ResultConfig.HTTP_PORT, "0");
        env.put(ResultConfig.INSTANCE, "replica-7");
        Process first = startRunning(env, temp.resolve("first.log"));
        try {
            Exit second = run(env, temp);
            assertThat(second.code()).as(String.join("\n", second.lines())).isEqualTo(2);
            assertThat(second.lines()).filteredOn(l -> l.contains(PROBLEM_LINE)).singleElement().asString()
                    .contains("Invalid value replica-7 for " + ResultConfig.INSTANCE,
                            "held by another live result-service process");
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
        }
        // the killed run had claimed a batch, leased for another hour
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("""
                    INSERT INTO batches (batch_id, lane, provider, endpoint, model, state, expected_count,
                                         next_attempt_at, lease_owner, lease_until, created_at, updated_at)
                    VALUES ('b-held', 'openai|/v1/chat/completions|gpt-4o-mini|0', 'openai', '/v1/chat/completions',
                            'gpt-4o-mini', 'failed', 1, now(), 'replica-7', now() + interval '1 hour', now(), now())""");
        }
        long restartedAt = System.nanoTime();
        Process restarted = startRunning(env, temp.resolve("restarted.log"));
        try {
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
            assertThat(Files.readString(temp.resolve("restarted.log")))
                    .contains("instance replica-7: took back 1 batches leased by an earlier run of this instance");
            try (var c = db.dataSource().getConnection(); var s = c.createStatement();
                 var rs = s.executeQuery("SELECT lease_owner, lease_until FROM batches WHERE batch_id = 'b-held'")) {
                rs.next();
                assertThat(rs.getString(1)).isNull();
                assertThat(rs.getTimestamp(2)).isNull();
            }
            System.out.printf("restart under the same name took its leases back %d ms after start%n", tookMs);
        } finally {
            restarted.destroy();
            restarted.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMalformedTokenFileEndsTheProcessWithStatus2AndOneLineNamingIt(PostgresDatabase db, @TempDir Path temp)
            throws Exception {
        Path tokens = Files.writeString(temp.resolve("tokens.json"), "{\"tenants\": \"everyone\"}");
        Map<String, String> env = env(db, temp);
        env.put(ResultConfig.TOKEN_FILE, tokens.toString());
        env.put(ResultConfig.HTTP_PORT, "0");

        Exit exit = run(env, temp);

        assertThat(exit.code()).as(String.join("\n", exit.lines())).isEqualTo(2);
        assertThat(exit.lines()).filteredOn(l -> l.contains(PROBLEM_LINE)).singleElement().asString()
                .contains(ResultConfig.TOKEN_FILE, tokens.toString(), "must be a JSON object with a \"tenants\" array");
    }

    @Test
    void aTakenPortEndsTheProcessWithStatus2AndOneLineNamingIt(PostgresDatabase db, @TempDir Path temp)
            throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Map<String, String> env = env(db, temp);
            env.put(ResultConfig.HTTP_PORT, String.valueOf(taken.getLocalPort()));

            Exit exit = run(env, temp);

            assertThat(exit.code()).as(String.join("\n", exit.lines())).isEqualTo(2);
            assertThat(exit.lines()).filteredOn(l -> l.contains(PROBLEM_LINE)).singleElement().asString()
                    .contains("Invalid value " + taken.getLocalPort() + " for " + ResultConfig.HTTP_PORT, "cannot listen on");
        }
    }

    @Test
    void aReplicaStartedWhileTheDatabaseIsDownWaitsNotReadyAndStartsWhenItAnswers(PostgresDatabase db,
            @TempDir Path temp) throws Exception {
        URI real = URI.create(db.jdbcUrl().substring("jdbc:".length()));
        int dbPort = TcpForwarder.freePort();
        int httpPort = TcpForwarder.freePort();
        Map<String, String> env = env(db, temp);
        env.put(ResultConfig.DB_URL, db.jdbcUrl().replace(":" + real.getPort() + "/", ":" + dbPort + "/"));
        env.put(ResultConfig.HTTP_PORT, String.valueOf(httpPort));
        env.put(ResultConfig.INSTANCE, "replica-waiting");
        Path log = temp.resolve("waiting.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), ResultMain.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        try (TcpForwarder database = new TcpForwarder(dbPort, real.getHost(), real.getPort())) {
            // the database does not answer: the process stays up, alive but not ready
            assertThat(statusWithin(http, httpPort, "/health/live", 200, Duration.ofSeconds(30))).isEqualTo(200);
            Thread.sleep(3_000);
            assertThat(process.isAlive()).as("still waiting:%n%s", Files.readString(log)).isTrue();
            assertThat(status(http, httpPort, "/health/ready")).isEqualTo(503);
            assertThat(Files.readString(log)).contains("the database does not answer yet");

            database.open();
            assertThat(statusWithin(http, httpPort, "/health/ready", 200, Duration.ofSeconds(60)))
                    .as("ready once the database answers:%n%s", Files.readString(log)).isEqualTo(200);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains(" listening on port ") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(log)).contains(" listening on port ");
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static int status(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int statusWithin(HttpClient http, int port, String path, int wanted, Duration patience)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = status(http, port, path);
            if (last == wanted) {
                return last;
            }
            Thread.sleep(200);
        }
        return last;
    }
}
