package dev.offpeak.cli;

import dev.offpeak.cli.prices.PricesCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code offpeak} command. Each subcommand is its own class; this one only wires them and
 * maps failures to exit codes: 0 ok, 1 failure (with one clear line), 2 usage.
 */
@Command(name = "offpeak", mixinStandardHelpOptions = true, version = "offpeak 0.1.0-SNAPSHOT",
        description = "The half-price lane for LLM work that can wait: dedup, batch, submit, settle.",
        subcommands = {DemoCommand.class, LocalCommand.class, SubmitCommand.class, StatusCommand.class, JobsCommand.class,
                CostsCommand.class, QuoteCommand.class, BudgetsCommand.class, ReportCommand.class, EmulatorCommand.class, ChaosCommand.class,
                RequestIdCommand.class, PricesCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class OffpeakCli implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        quietLibraryLogs();
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with the given streams and returns its exit code (tests call this). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new OffpeakCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // "offpeak costs", "offpeak budgets set"
            String command = commandLine.getCommandSpec().qualifiedName();
            if (e instanceof CliException) {
                err.println(command + ": " + e.getMessage());
            } else {
                err.println(command + ": failed: " + e);
                e.printStackTrace(err);
            }
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli.execute(args);
    }

    /**
     * Kafka, Jetty and Flyway log every step at INFO; on a terminal that buries the few lines the
     * user asked for. Warnings still show. {@code -Dorg.slf4j.simpleLogger.defaultLogLevel=info}
     * (JAVA_OPTS) brings everything back.
     */
    static void quietLibraryLogs() {
        defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // The broker and Streams warn about their own start-up races (topics not yet there), which heal by themselves.
        defaultProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        defaultProperty("org.slf4j.simpleLogger.log.kafka", "error");
        // The service jars ship a simplelogger.properties for their own processes (timestamps on); a terminal
        // needs none. System properties win over that file.
        defaultProperty("org.slf4j.simpleLogger.showDateTime", "false");
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
