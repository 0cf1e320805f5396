package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.testsupport.PostgresDatabase;
import dev.offpeak.testsupport.RealPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ResultMain} in its own JVM: a start that cannot succeed ends the process with status 2
 * and one line naming the problem, instead of leaving loops running.
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
}
