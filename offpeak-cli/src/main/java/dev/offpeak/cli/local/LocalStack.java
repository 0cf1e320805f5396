package dev.offpeak.cli.local;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.batcher.BatcherService;
import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.emulator.ProviderEmulator;
import dev.offpeak.ingest.IngestService;
import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.result.ResultService;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.schemas.topics.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Local mode, wired: a real Kafka broker and PostgreSQL server, the provider emulator (finishing
 * batches in seconds) and the three services configured exactly as in production, only pointed at
 * each other, all in this JVM, with every byte of state under one data folder. It only wires: each
 * piece owns its behaviour. Pieces are closed in reverse start order, so producers stop before
 * the broker and the result service before the database.
 */
public final class LocalStack implements AutoCloseable {
    /** Options of one local stack. */
    public record Options(Path dataDir, List<String> tenants, Duration batchMaxWait) {
        public Options {
            dataDir = dataDir.toAbsolutePath().normalize();
            tenants = List.copyOf(tenants);
        }
    }

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Options options;
    private LocalState state;
    private LocalPostgres postgres;
    private Endpoints endpoints;

    private LocalStack(Options options) {
        this.options = options;
    }

    /** Starts everything, or nothing: a piece that fails to start stops the ones before it. */
    public static LocalStack start(Options options, Consumer<String> progress) throws Exception {
        LocalStack stack = new LocalStack(options);
        try {
            stack.startAll(progress);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Consumer<String> progress) throws Exception {
        Path dir = options.dataDir();
        Files.createDirectories(dir);
        List<String> tenants = new ArrayList<>(List.of(LocalState.LOCAL_TENANT));
        options.tenants().stream().filter(t -> !tenants.contains(t)).forEach(tenants::add);
        state = LocalState.loadOrCreate(dir, tenants);

        progress.accept("PostgreSQL 17 (data in " + dir.resolve("postgres") + ")");
        postgres = own(LocalPostgres.start(dir.resolve("postgres")));
        progress.accept("Kafka, KRaft (logs in " + dir.resolve("kafka") + ")");
        LocalKafka kafka = own(LocalKafka.start(dir.resolve("kafka"), state.clusterId()));
        progress.accept("provider emulator");
        EmulatorConfig emulatorConfig = EmulatorConfig.defaults().withPort(0)
                .withSpeed(EmulatorConfig.Speed.fast()).withDataDir(Files.createDirectories(dir.resolve("emulator")));
        // the emulated providers serve what the services admit: a launch-day model of the override file too
        if (registryFile().isPresent()) {
            emulatorConfig = emulatorConfig.withModels(dev.offpeak.emulator.ModelCatalog.of(
                    ModelRegistry.loadConfigured(Path.of(registryFile().get()), "local stack")));
        }
        ProviderEmulator emulator = own(ProviderEmulator.start(emulatorConfig));

        PrometheusMeterRegistry resultMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry batcherMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Path tokenFile = state.writeIngestTokenFile(dir);
        progress.accept("result-service");
        ResultService result = own(ResultService.start(ResultConfig.fromEnv(resultEnv(kafka, emulator, tokenFile)),
                resultMetrics));
        progress.accept("batcher-service");
        own(BatcherService.start(BatcherConfig.fromEnv(batcherEnv(kafka)), batcherMetrics));
        progress.accept("ingest-service");
        IngestService ingest = own(IngestService.start(IngestConfig.defaults().withHost("127.0.0.1").withPort(0)
                .withKafka(kafka.bootstrapServers(), Topics.TASKS.name(), Topics.JOBS.name())
                .withTokenFile(tokenFile).withModelRegistryFile(registryFile().map(Path::of).orElse(null))));
        // result-service and ingest serve their own /metrics; the embedded batcher's registry is served here.
        MetricsServer metrics = own(new MetricsServer(Map.of("batcher", batcherMetrics)));

        Map<String, String> metricUrls = new LinkedHashMap<>(metrics.urls());
        metricUrls.put("ingest", ingest.baseUri() + "/metrics");
        String resultUrl = "http://localhost:" + result.httpPort();
        metricUrls.put("result", resultUrl + "/metrics");
        endpoints = new Endpoints(ingest.baseUri().toString(), resultUrl, kafka.bootstrapServers(), postgres.jdbcUrl(),
                LocalPostgres.USER, emulator.baseUrl(), metricUrls, LocalState.LOCAL_TENANT,
                state.token(LocalState.LOCAL_TENANT), state.adminToken());
        endpoints.write(dir);
    }

    /** result-service exactly as its process reads it, with polling tuned to an emulator that answers in seconds. */
    private Map<String, String> resultEnv(LocalKafka kafka, ProviderEmulator emulator, Path tokenFile) {
        Map<String, String> env = new HashMap<>();
        // its read API (tasks, jobs, /metrics) takes the same tenants' tokens as ingest; loopback, any free port
        env.put("OFFPEAK_RESULT_HTTP_HOST", "127.0.0.1");
        env.put("OFFPEAK_RESULT_HTTP_PORT", "0");
        env.put("OFFPEAK_RESULT_TOKEN_FILE", tokenFile.toString());
        // the admin API (budgets), with the data folder's admin token
        env.put(ResultConfig.ADMIN_TOKEN, state.adminToken());
        env.put("OFFPEAK_DB_URL", postgres.jdbcUrl());
        env.put("OFFPEAK_DB_USER", LocalPostgres.USER);
        env.put("OFFPEAK_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
        env.put("OFFPEAK_RESULT_INSTANCE", "local");
        env.put("OFFPEAK_RESULT_TICK", "100ms");
        env.put("OFFPEAK_RESULT_FIRST_POLL", "200ms");
        env.put("OFFPEAK_RESULT_POLL_MAX", "1s");
        env.put("OFFPEAK_RESULT_QUOTA_WAIT", "5s");
        env.put("OFFPEAK_RESULT_SPOOL_DIR", options.dataDir().resolve("spool").toString());
        // every lane picks its cheapest mode in time (docs/lanes.md): batch, or flex / sync where they cost less
        env.put(ResultConfig.LANE_MODES, "*=auto");
        // The emulator accepts any non-empty key; a key is what marks a provider as configured.
        env.put("OFFPEAK_OPENAI_BASE_URL", emulator.openAiBaseUrl());
        env.put("OFFPEAK_OPENAI_API_KEY", "local-emulator");
        env.put("OFFPEAK_ANTHROPIC_BASE_URL", emulator.anthropicBaseUrl());
        env.put("OFFPEAK_ANTHROPIC_API_KEY", "local-emulator");
        env.put("OFFPEAK_GEMINI_BASE_URL", emulator.geminiBaseUrl());
        env.put("OFFPEAK_GEMINI_API_KEY", "local-emulator");
        registryFile().ifPresent(file -> env.put(ResultConfig.MODEL_REGISTRY_FILE, file));
        return env;
    }

    private Map<String, String> batcherEnv(LocalKafka kafka) {
        Map<String, String> env = new HashMap<>();
        env.put(BatcherConfig.BOOTSTRAP, kafka.bootstrapServers());
        env.put(BatcherConfig.STATE_DIR, options.dataDir().resolve("batcher").toString());
        // Static membership: a restarted local stack takes its partitions back at once.
        env.put(BatcherConfig.INSTANCE_ID, "local-0");
        env.put(BatcherConfig.MAX_WAIT, options.batchMaxWait().toSeconds() + "s");
        env.put(BatcherConfig.CHECK_INTERVAL, "500ms");
        env.put(BatcherConfig.SEAL_GRACE, "1s");
        registryFile().ifPresent(file -> env.put(BatcherConfig.MODEL_REGISTRY_FILE, file));
        return env;
    }

    /** The operator's model registry override file, if this process was given one: every service uses it. */
    private static java.util.Optional<String> registryFile() {
        return java.util.Optional.ofNullable(System.getenv(ModelRegistry.OVERRIDE_FILE_KEY))
                .filter(v -> !v.isBlank());
    }

    private <T extends AutoCloseable> T own(T piece) {
        started.push(piece);
        return piece;
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    /** A token for one of the stack's tenants. */
    public String token(String tenant) {
        return state.token(tenant);
    }

    public Path dataDir() {
        return options.dataDir();
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
