package dev.offpeak.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * One entry point for the benchmarks of the other modules. They are main classes in those
 * modules' test sources, so they run through Maven's exec plugin with the test classpath rather
 * than from this jar (which must not carry test code).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run a module benchmark: ingest (HTTP → Kafka), batcher (dedup and packing) or settle "
                + "(result files → Postgres). Extra arguments go to the benchmark.",
                "Runs ./mvnw -q -pl <module> test-compile exec:java -Dexec.classpathScope=test from the repository."})
public final class BenchCommand implements Callable<Integer> {
    /** Benchmark name → module and main class. */
    static final Map<String, List<String>> BENCHES = Map.of(
            "ingest", List.of("ingest-service", "dev.offpeak.ingest.bench.IngestBench"),
            "batcher", List.of("batcher-service", "dev.offpeak.batcher.bench.BatcherBench"),
            "settle", List.of("result-service", "dev.offpeak.result.bench.SettleBench"));

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "ingest, batcher or settle")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "arguments for the benchmark (e.g. a task count)")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<String> bench = BENCHES.get(name);
        if (bench == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Unknown benchmark '" + name + "': choose ingest, batcher or settle");
        }
        Path home = Path.of(System.getProperty("offpeak.home", "."));
        Path mvnw = home.resolve("mvnw");
        if (!Files.isExecutable(mvnw)) {
            throw new CliException("no Maven wrapper at " + mvnw.toAbsolutePath()
                    + ": run bench from the repository (the launcher sets -Doffpeak.home)");
        }
        // test-compile first: the benchmarks are test classes, and exec:java does not compile them
        List<String> command = new ArrayList<>(List.of(mvnw.toString(), "-q", "-pl", bench.get(0),
                "test-compile", "exec:java", "-Dexec.classpathScope=test", "-Dexec.mainClass=" + bench.get(1)));
        if (!args.isEmpty()) {
            command.add("-Dexec.args=" + String.join(" ", args));
        }
        spec.commandLine().getOut().println("running " + String.join(" ", command));
        spec.commandLine().getOut().flush();
        Process process = new ProcessBuilder(command).directory(home.toFile()).inheritIO().start();
        int code = process.waitFor();
        if (code != 0) {
            throw new CliException("benchmark " + name + " exited with " + code
                    + " (its classes are built by ./mvnw -q -pl " + bench.get(0) + " -am install -DskipTests)");
        }
        return 0;
    }
}
