package dev.offpeak.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `offpeak local` as its own process, stopped with SIGTERM (what Ctrl-C and `kill` send): every
 * piece closes before the JVM exits, the database last, so PostgreSQL is not left running and the
 * next start finds clean data.
 */
class LocalModeSigtermIT {
    @TempDir
    Path dataDir;

    @Test
    void sigtermStopsEveryPieceBeforeTheJvmExits() throws Exception {
        Path log = dataDir.resolve("local.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "-Xmx1g", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), OffpeakCli.class.getName(), "local",
                "--data-dir", dataDir.resolve("data").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> !process.isAlive()
                    || Files.readString(log).contains("Ctrl-C stops it"));
            assertThat(process.isAlive()).as("local mode runs; its output:%n%s", Files.readString(log)).isTrue();
            File postmasterPid = dataDir.resolve("data/postgres/postmaster.pid").toFile();
            assertThat(postmasterPid).exists();

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("exited within 2 minutes").isTrue();
            String output = Files.readString(log);
            assertThat(output).contains("Stopping local mode...").contains("Stopped.");
            assertThat(postmasterPid).as("PostgreSQL was shut down, not left behind").doesNotExist();
        } finally {
            process.destroyForcibly();
        }
    }
}
