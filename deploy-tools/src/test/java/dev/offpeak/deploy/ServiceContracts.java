package dev.offpeak.deploy;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.config.KafkaClientSettings;
import dev.offpeak.emulator.EmulatorMain;
import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.result.config.ResultConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;

/**
 * What each Offpeak process reads, taken from its code: the environment keys its config class declares
 * (its key constants, {@code keys()}) and, for the
 * command-line processes, their picocli options. {@link #check} also runs the environment through the
 * service's own parser, so a key that exists but has a bad value fails too.
 */
final class ServiceContracts {
    /** Image-level settings every container may carry (deploy/docker/service.Dockerfile reads them). */
    static final Set<String> IMAGE_ENV = Set.of("JAVA_MEMORY_OPTS", "JAVA_OPTS");

    private ServiceContracts() {}

    /** The modules whose images docker-compose.yml and deploy/k8s run. */
    static final Set<String> MODULES =
            Set.of("ingest-service", "batcher-service", "result-service", "provider-emulator", "deploy-tools");

    static Set<String> ingestKeys() {
        return IngestConfig.keys();
    }

    static Set<String> batcherKeys() {
        return BatcherConfig.keys();
    }

    static Set<String> resultKeys() {
        return ResultConfig.keys();
    }

    /**
     * Every problem with one container: environment keys its service does not read, values its parser
     * rejects, and arguments its command line rejects.
     *
     * @param where   for messages, e.g. "docker-compose.yml service result-service"
     * @param module  the Maven module the image is built from
     * @param env     the container's environment, variables interpolated
     * @param args    the container's command / args
     */
    static List<String> check(String where, String module, Map<String, String> env, List<String> args) {
        List<String> problems = new ArrayList<>();
        Set<String> known = switch (module) {
            case "ingest-service" -> ingestKeys();
            case "batcher-service" -> batcherKeys();
            case "result-service" -> resultKeys();
            case "provider-emulator" -> Set.of(EmulatorMain.REQUIRE_KEY);
            case "deploy-tools" -> Set.of(TopicSetup.BOOTSTRAP_ENV);
            default -> throw new IllegalArgumentException("not an Offpeak image: " + module);
        };
        for (String key : new TreeSet<>(env.keySet())) {
            boolean producerOverride = module.equals("ingest-service") && key.startsWith(IngestConfig.KAFKA_PREFIX)
                    && key.length() > IngestConfig.KAFKA_PREFIX.length();
            // OFFPEAK_KAFKA_<NAME>: the Kafka client pass-through of the three services and of TopicSetup
            boolean kafkaSetting = !module.equals("provider-emulator") && key.startsWith(KafkaClientSettings.PREFIX)
                    && key.length() > KafkaClientSettings.PREFIX.length();
            if (!known.contains(key) && !IMAGE_ENV.contains(key) && !producerOverride && !kafkaSetting) {
                problems.add(where + ": " + module + " does not read " + key + " (known: " + known + ")");
            }
        }
        try {
            switch (module) {
                case "ingest-service" -> IngestConfig.fromEnv(withReadableTokenFiles(env));
                case "batcher-service" -> BatcherConfig.fromEnv(env);
                case "result-service" -> ResultConfig.fromEnv(withReadableTokenFiles(env));
                case "provider-emulator" -> new CommandLine(new EmulatorMain()).parseArgs(args.toArray(String[]::new));
                case "deploy-tools" -> {
                    TopicSetup setup = new TopicSetup();
                    setup.env = env;
                    new CommandLine(setup).parseArgs(args.toArray(String[]::new));
                    setup.adminProperties();
                }
                default -> throw new IllegalArgumentException(module);
            }
        } catch (RuntimeException e) {
            problems.add(where + ": " + module + " rejects its configuration: " + e.getMessage());
        }
        if (!args.isEmpty() && !module.equals("provider-emulator") && !module.equals("deploy-tools")) {
            problems.add(where + ": " + module + " takes no arguments but is given " + args);
        }
        return problems;
    }

    /**
     * Token files (OFFPEAK_*_TOKEN_FILE) are paths inside the container; their content is checked
     * separately (Tenants.load in ComposeFileTest), here a readable stand-in takes their place.
     */
    private static Map<String, String> withReadableTokenFiles(Map<String, String> env) {
        try {
            Path file = Files.createTempFile("tokens", ".json");
            file.toFile().deleteOnExit();
            Files.writeString(file, "{\"tenants\": []}");
            Map<String, String> copy = new HashMap<>(env);
            copy.replaceAll((key, value) -> key.endsWith("_TOKEN_FILE") ? file.toString() : value);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
