package dev.offpeak.deploy;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.emulator.EmulatorMain;
import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.schemas.events.Provider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * What each Offpeak process reads, taken from its code: the environment keys its config class declares
 * (constants where it has them, string literals of its config sources where it has none) and, for the
 * command-line processes, their picocli options. {@link #check} also runs the environment through the
 * service's own parser, so a key that exists but has a bad value fails too.
 */
final class ServiceContracts {
    /** Image-level settings every container may carry (deploy/docker/service.Dockerfile reads them). */
    static final Set<String> IMAGE_ENV = Set.of("JAVA_MEMORY_OPTS", "JAVA_OPTS");
    private static final Pattern OFFPEAK_LITERAL = Pattern.compile("\"(OFFPEAK_[A-Z0-9_]*[A-Z0-9])\"");

    private ServiceContracts() {}

    /** The modules whose images docker-compose.yml and deploy/k8s run. */
    static final Set<String> MODULES =
            Set.of("ingest-service", "batcher-service", "result-service", "provider-emulator", "deploy-tools");

    static Set<String> ingestKeys() {
        return constants(IngestConfig.class);
    }

    static Set<String> batcherKeys() {
        Set<String> keys = constants(BatcherConfig.class);
        for (Provider p : Provider.values()) {
            keys.add(BatcherConfig.maxRequestsKey(p));
            keys.add(BatcherConfig.maxBytesKey(p));
        }
        return keys;
    }

    /**
     * ResultConfig names its keys as literals (no constants): every "OFFPEAK_..." literal of its config
     * package, plus the per-provider keys it builds as "OFFPEAK_" + provider + "_BASE_URL" / "_API_KEY".
     */
    static Set<String> resultKeys() {
        Path dir = DeployFiles.path("result-service/src/main/java/dev/offpeak/result/config");
        Set<String> keys = new TreeSet<>();
        String config;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = OFFPEAK_LITERAL.matcher(Files.readString(file));
                while (m.find()) {
                    keys.add(m.group(1));
                }
            }
            config = Files.readString(dir.resolve("ResultConfig.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!config.contains("\"OFFPEAK_\" + provider.name() + \"_\"") || !config.contains("prefix + \"BASE_URL\"")
                || !config.contains("prefix + \"API_KEY\"")) {
            throw new IllegalStateException("ResultConfig no longer builds provider keys as OFFPEAK_<PROVIDER>_BASE_URL "
                    + "/ _API_KEY: update ServiceContracts.resultKeys()");
        }
        for (Provider p : Provider.values()) {
            keys.add("OFFPEAK_" + p.name() + "_BASE_URL");
            keys.add("OFFPEAK_" + p.name() + "_API_KEY");
        }
        return keys;
    }

    /** Public static String constants whose value is a whole OFFPEAK_ key (not a prefix). */
    private static Set<String> constants(Class<?> type) {
        Set<String> keys = new TreeSet<>();
        for (Field f : type.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    String value = (String) f.get(null);
                    if (value.startsWith("OFFPEAK_") && !value.endsWith("_")) {
                        keys.add(value);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return keys;
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
            case "provider-emulator" -> Set.of("EMULATOR_REQUIRE_KEY");
            case "deploy-tools" -> Set.of(TopicSetup.BOOTSTRAP_ENV);
            default -> throw new IllegalArgumentException("not an Offpeak image: " + module);
        };
        for (String key : new TreeSet<>(env.keySet())) {
            boolean producerOverride = module.equals("ingest-service") && key.startsWith(IngestConfig.KAFKA_PREFIX)
                    && key.length() > IngestConfig.KAFKA_PREFIX.length();
            if (!known.contains(key) && !IMAGE_ENV.contains(key) && !producerOverride) {
                problems.add(where + ": " + module + " does not read " + key + " (known: " + known + ")");
            }
        }
        try {
            switch (module) {
                case "ingest-service" -> IngestConfig.fromEnv(withReadableTokenFiles(env));
                case "batcher-service" -> BatcherConfig.fromEnv(env);
                case "result-service" -> ResultConfig.fromEnv(withReadableTokenFiles(env));
                case "provider-emulator" -> new CommandLine(new EmulatorMain()).parseArgs(args.toArray(String[]::new));
                case "deploy-tools" -> new CommandLine(new TopicSetup()).parseArgs(args.toArray(String[]::new));
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
