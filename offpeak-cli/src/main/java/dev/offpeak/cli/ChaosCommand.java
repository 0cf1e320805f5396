package dev.offpeak.cli;

import dev.offpeak.cli.chaos.ChaosRun;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code offpeak chaos}: the system test. Every piece runs as its own process, configured as
 * {@code deploy/processes.md} says; faults hit while the workload flows; the checks print and the
 * exit code is 0 only when every one passed.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Run Offpeak as separate processes (a Kafka broker, PostgreSQL, the emulator, ingest, N batchers,"
                + " N result-services), send a workload while killing and restarting pieces, then check that no task"
                + " was lost, none billed twice, no provider batch created twice, every task and job got its event,"
                + " no secret leaked, and print the longest stall after a kill. Exit 0 when every check passed.")
public final class ChaosCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tasks", defaultValue = "20000", description = "Tasks to send (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--faults", defaultValue = "12", description = "Faults to inject (default: ${DEFAULT-VALUE}).")
    int faults;

    @Option(names = "--infra", description = "Also break the infrastructure: broker kill and restart, PostgreSQL crash,"
            + " emulator restart, a slow provider.")
    boolean infrastructure;

    @Option(names = "--batchers", defaultValue = "2", description = "batcher-service replicas (default: ${DEFAULT-VALUE}).")
    int batchers;

    @Option(names = "--results", defaultValue = "2", description = "result-service replicas (default: ${DEFAULT-VALUE}).")
    int results;

    @Option(names = "--duplicate-rate", defaultValue = "0.18", description = "Share of repeated requests (default: ${DEFAULT-VALUE}).")
    double duplicateRate;

    @Option(names = "--gap", defaultValue = "3s", converter = DurationConverter.class,
            description = "Shortest time between two faults; the longest is twice it (default: ${DEFAULT-VALUE}).")
    Duration gap;

    @Option(names = "--seed", description = "Seed of the workload and the faults (default: random, printed).")
    Long seed;

    @Option(names = "--data-dir", description = "Where every process keeps its state and log (default: .offpeak-chaos/<time>).")
    Path dataDir;

    @Option(names = "--keep", description = "After the checks, keep every process running (printing the URLs and"
            + " tokens) until Ctrl-C, e.g. to point the CLI at it.")
    boolean keep;

    @Option(names = "--timeout", defaultValue = "15m", converter = DurationConverter.class,
            description = "Give up when the work has not ended by then (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--kafka-transaction-version", defaultValue = "2", description = "The broker's transaction.version"
            + " feature: 2 (Kafka 4's default, transactions v2) or 1 (default: ${DEFAULT-VALUE}); see deploy/processes.md.")
    int transactionVersion;

    @Override
    public Integer call() throws Exception {
        if (tasks < 1 || faults < 0 || batchers < 1 || results < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--tasks, --batchers and --results must be >= 1 and --faults >= 0");
        }
        if (transactionVersion != 1 && transactionVersion != 2) {
            throw new ParameterException(spec.commandLine(), "Invalid value " + transactionVersion
                    + " for --kafka-transaction-version: must be 1 or 2");
        }
        PrintWriter out = spec.commandLine().getOut();
        long actualSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000);
        Path dir = dataDir != null ? dataDir : Path.of(".offpeak-chaos",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(dir) && Files.list(dir).findAny().isPresent()) {
            throw new ParameterException(spec.commandLine(), "Invalid value " + dir + " for --data-dir: must be empty");
        }
        out.printf("seed %d (--seed %d repeats the workload and the choice of faults)%n", actualSeed, actualSeed);
        ChaosRun.Outcome outcome = ChaosRun.run(new ChaosRun.Options(tasks, duplicateRate, faults, infrastructure,
                batchers, results, actualSeed, dir.toAbsolutePath().normalize(), timeout, gap, gap.multipliedBy(2),
                keep, transactionVersion),
                out);
        out.printf("logs and state kept in %s%n", dir.toAbsolutePath().normalize());
        out.flush();
        return outcome.passed() ? 0 : 1;
    }
}
