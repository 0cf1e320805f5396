package dev.offpeak.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EmulatorCommandTest {
    @Test
    void servesTheOpenAiBatchApiUntilStopped() throws Exception {
        EmulatorCommand command = new EmulatorCommand();
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--port", "0"));
        await().atMost(Duration.ofSeconds(30)).until(() -> command.running != null || exit.isDone());
        assertThat(command.running).as("emulator started").isNotNull();

        HttpResponse<String> batches = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(command.running.openAiBaseUrl() + "/batches"))
                .header("Authorization", "Bearer any-key").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(batches.statusCode()).isEqualTo(200);
        assertThat(batches.body()).contains("\"object\"");
        assertThat(out.toString()).contains("provider emulator listening on").contains("OpenAI");

        command.stop.countDown();
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aBadPortIsAUsageError() {
        assertThat(Cli.run("emulator", "--port", "70000").exitCode()).isEqualTo(2);
        assertThat(Cli.run("emulator", "--port", "x").exitCode()).isEqualTo(2);
    }
}
