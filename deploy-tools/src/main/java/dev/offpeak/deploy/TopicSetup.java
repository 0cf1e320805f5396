package dev.offpeak.deploy;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import dev.offpeak.config.EnvReader;
import dev.offpeak.config.KafkaClientSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Creates or updates every Offpeak topic ({@link TopicPlan}), idempotently: what docker-compose's
 * {@code topic-init} service and the Kubernetes {@code offpeak-topics} Job run. Exit codes: 0 done
 * (changed or not), 1 the cluster could not be brought to the plan, 2 usage.
 */
@Command(name = "topic-setup", mixinStandardHelpOptions = true,
        description = "Create or update the Offpeak topics: partitions (raised, never lowered), retention, "
                + "max.message.bytes. Safe to run again: a second run changes nothing.")
public final class TopicSetup implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The services' own key for the brokers, so one ConfigMap or .env entry serves all of them. */
    public static final String BOOTSTRAP_ENV = "OFFPEAK_KAFKA_BOOTSTRAP";

    @Option(names = "--bootstrap", defaultValue = "${env:" + BOOTSTRAP_ENV + "}",
            description = "Kafka bootstrap servers, host:port[,host:port] (default: $" + BOOTSTRAP_ENV + ").")
    String bootstrap;

    @Option(names = "--partitions", description = "Partitions of every topic (default: the per-topic table).")
    Integer partitions;

    @Option(names = "--replication-factor", defaultValue = "3",
            description = "Replication factor of new topics (default: ${DEFAULT-VALUE}; 1 for one broker).")
    short replication;

    @Option(names = "--timeout", defaultValue = "PT60S", description = "Per admin call, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--admin-property", description = "Extra admin client property, key=value (e.g. "
            + "security.protocol=SASL_SSL); repeatable; wins over $OFFPEAK_KAFKA_<NAME>.")
    Map<String, String> adminProperties = Map.of();

    /** Where the services' pass-through ({@code OFFPEAK_KAFKA_<NAME>}) is read from; tests replace it. */
    Map<String, String> env = System.getenv();

    /** What the options set: refused as a pass-through, like a service refuses what it owns. */
    private static final KafkaClientSettings.Owned OWNED = new KafkaClientSettings.Owned("topic-setup", Map.of(
            "default.api.timeout.ms", "give --timeout instead"));

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with the given streams and returns its exit code (tests call this). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new TopicSetup());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("topic-setup: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Missing Kafka bootstrap servers: give --bootstrap or set " + BOOTSTRAP_ENV);
        }
        if (partitions != null && partitions < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value " + partitions + " for --partitions: must be >= 1");
        }
        if (replication < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value " + replication + " for --replication-factor: must be >= 1");
        }
        List<TopicSpec> plan = TopicPlan.of(partitions == null ? OptionalInt.empty() : OptionalInt.of(partitions),
                replication);
        Map<String, Object> props = adminProperties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        TopicReconciler.Report report;
        try (Admin admin = Admin.create(props)) {
            report = new TopicReconciler(admin, timeout).apply(plan);
        }
        PrintWriter out = spec.commandLine().getOut();
        report.changes().forEach(c -> out.println("  " + c));
        report.notes().forEach(n -> out.println("  note: " + n));
        out.println(report.changes().isEmpty()
                ? "topic-setup: all " + plan.size() + " topics already as planned; nothing changed"
                : "topic-setup: " + report.changes().size() + " change(s) applied to " + plan.size() + " topics");
        out.flush();
        return 0;
    }

    /**
     * The services' Kafka client settings from the environment ({@code OFFPEAK_KAFKA_SECURITY_PROTOCOL} and
     * the like, docs/configuration.md), so the Job reaches a TLS or SASL Kafka from the same ConfigMap and
     * Secret as the services, then {@code --admin-property} on top.
     */
    Map<String, Object> adminProperties() {
        EnvReader reader = new EnvReader(env);
        KafkaClientSettings settings = KafkaClientSettings.read(env, reader, OWNED, KafkaClientSettings.PREFIX);
        if (!reader.problems().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("\n", reader.problems()));
        }
        Map<String, Object> props = new HashMap<>();
        settings.applyTo(props);
        props.putAll(adminProperties);
        return props;
    }
}
