package dev.offpeak.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.identity.RequestIdentity;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OffpeakCliTest {
    static final String TASK = """
            {"type":"task.submitted","schema_version":1,"task_id":"t-1","tenant":"acme","provider":"openai",
             "model":"gpt-4o-mini","endpoint":"/v1/chat/completions",
             "request":{"messages":[{"role":"user","content":"Classify: great"}]}}""".replace("\n", "");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"demo", "local", "submit", "status", "jobs", "costs", "budgets", "report", "emulator", "request-id",
            "bench"})
    void everyCommandHasHelp(String command) {
        Cli cli = Cli.run(command, "--help");
        assertThat(cli.exitCode()).isZero();
        assertThat(cli.out()).contains("Usage: offpeak " + command).contains("--help");
    }

    @Test
    void topLevelHelpListsEveryCommand() {
        Cli cli = Cli.run("--help");
        assertThat(cli.exitCode()).isZero();
        assertThat(cli.out()).contains("demo", "local", "submit", "budgets", "emulator", "request-id", "bench");
    }

    @ParameterizedTest
    @ValueSource(strings = {"list", "set", "disable"})
    void everyBudgetsCommandHasHelpThatNamesTheAdminTokenOption(String command) {
        Cli cli = Cli.run("budgets", command, "--help");
        assertThat(cli.exitCode()).isZero();
        assertThat(cli.out()).contains("Usage: offpeak budgets " + command).contains("--admin-token", "--read-url");
    }

    @Test
    void budgetsWithoutAStackOrAnAdminTokenSayWhatIsMissing() {
        assertThat(Cli.run("budgets").exitCode()).as("no subcommand").isEqualTo(2);
        assertThat(Cli.run("budgets", "set", "b-1", "--tenant", "acme", "--limit", "5", "--period", "day").exitCode())
                .as("--mode is required").isEqualTo(2);
        Cli noStack = Cli.run("budgets", "list", "--data-dir", dir.resolve("empty").toString());
        assertThat(noStack.exitCode()).isEqualTo(1);
        assertThat(noStack.err()).startsWith("offpeak budgets list: no endpoints.json in");
        Cli noToken = Cli.run("budgets", "list", "--read-url", "http://127.0.0.1:1");
        assertThat(noToken.exitCode()).isEqualTo(2);
        assertThat(noToken.err()).contains("needs the admin token: --admin-token or $OFFPEAK_ADMIN_TOKEN");
        Cli badMetadata = Cli.run("budgets", "set", "b-1", "--tenant", "acme", "--limit", "5", "--period", "day",
                "--mode", "hard", "--metadata", "feature", "--read-url", "http://127.0.0.1:1", "--admin-token", "t");
        assertThat(badMetadata.exitCode()).isEqualTo(2);
        assertThat(badMetadata.err()).contains("--metadata takes KEY=VALUE");
    }

    @Test
    void noCommandOrAnUnknownOptionIsAUsageError() {
        assertThat(Cli.run().exitCode()).isEqualTo(2);
        Cli unknown = Cli.run("demo", "--sise", "10");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("--sise");
        assertThat(Cli.run("demo", "--size", "0").exitCode()).isEqualTo(2);
        assertThat(Cli.run("bench", "nosuch").exitCode()).isEqualTo(2);
    }

    @Test
    void requestIdPrintsTheIdentityTheSchemasModuleComputes() throws IOException {
        Path file = Files.writeString(dir.resolve("task.json"), TASK);
        TaskSubmitted task = EventSerde.of(TaskSubmitted.class).parse(TASK.getBytes());

        Cli cli = Cli.run("request-id", file.toString());
        assertThat(cli.exitCode()).isZero();
        assertThat(cli.out().strip()).isEqualTo(RequestIdentity.requestId(task)).hasSize(64);

        Cli canonical = Cli.run("request-id", "--canonical", file.toString());
        assertThat(canonical.out().lines()).containsExactly(RequestIdentity.requestId(task),
                RequestIdentity.canonicalJson(task));
    }

    @Test
    void requestIdOfJsonLinesPrintsOneIdPerTaskAndFillsTheTenant() throws IOException {
        ObjectNode second = (ObjectNode) Json.mapper().readTree(TASK);
        second.put("task_id", "t-2");
        second.remove("tenant");
        Path file = Files.writeString(dir.resolve("tasks.jsonl"), TASK + "\n" + Json.write(second) + "\n");

        Cli cli = Cli.run("request-id", "--tenant", "acme", file.toString());
        assertThat(cli.exitCode()).isZero();
        // same request, same tenant: the same identity, whatever the task_id
        String[] lines = cli.out().strip().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0].split("\t")[1]).isEqualTo(lines[1].split("\t")[1]);
    }

    @Test
    void aMissingFileOrABadLineSaysWhatAndWhere() throws IOException {
        Cli missing = Cli.run("request-id", dir.resolve("nope.json").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no such file").contains("nope.json");

        Path bad = Files.writeString(dir.resolve("bad.jsonl"), TASK + "\n{\"task_id\": oops}\n");
        Cli malformed = Cli.run("request-id", bad.toString());
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.err()).contains("bad.jsonl:2").contains("malformed JSON");

        Path invalid = Files.writeString(dir.resolve("invalid.json"), TASK.replace("gpt-4o-mini", "gpt-99"));
        Cli unknownModel = Cli.run("request-id", invalid.toString());
        assertThat(unknownModel.exitCode()).isEqualTo(1);
        assertThat(unknownModel.err()).contains("invalid.json").contains("model");
    }

    @Test
    void submitToAWrongUrlSaysItCannotConnect() throws IOException {
        Path file = Files.writeString(dir.resolve("tasks.jsonl"), TASK + "\n");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Cli cli = Cli.run("submit", file.toString(), "--job", "j1", "--url", "http://127.0.0.1:" + closedPort,
                "--token", "t", "--retries", "1");
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.err()).contains("cannot connect to ingest at http://127.0.0.1:" + closedPort)
                .contains("check --url").doesNotContain("Bearer");
        assertThat(cli.out()).contains("resending 1 line (line 1) after ingest could not be reached");
        assertThat(Cli.run("submit", file.toString(), "--job", "j1", "--url", "http://127.0.0.1:" + closedPort,
                "--token", "t", "--retries", "-1").exitCode()).isEqualTo(2);
        Cli unknownHost = Cli.run("submit", file.toString(), "--job", "j1", "--url", "http://no-such-host.invalid:8080",
                "--token", "t");
        assertThat(unknownHost.exitCode()).isEqualTo(1);
        assertThat(unknownHost.err()).contains("cannot resolve the host of http://no-such-host.invalid:8080");
        Cli noToken = Cli.run("submit", file.toString(), "--job", "j1", "--url", "http://127.0.0.1:" + closedPort,
                "--data-dir", dir.resolve("empty").toString());
        assertThat(noToken.exitCode()).as("a deployment without a token").isEqualTo(2);

        Cli notAUrl = Cli.run("submit", file.toString(), "--job", "j1", "--url", "localhost", "--token", "t");
        assertThat(notAUrl.exitCode()).isEqualTo(1);
        assertThat(notAUrl.err()).contains("not an http(s) URL: localhost");
    }

    @Test
    void submitWithoutARunningLocalStackSaysWhereItLooked() throws IOException {
        Path file = Files.writeString(dir.resolve("tasks.jsonl"), TASK + "\n");
        Cli cli = Cli.run("submit", file.toString(), "--job", "j1", "--data-dir", dir.resolve("empty").toString());
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.err()).contains("no endpoints.json in").contains("offpeak local");

        assertThat(Cli.run("submit", file.toString()).exitCode()).as("--job is required").isEqualTo(2);
    }
}
