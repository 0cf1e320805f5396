package dev.offpeak.ingest.config;

import dev.offpeak.config.ConfigKeys;
import dev.offpeak.config.Description;
import dev.offpeak.config.Durations;
import dev.offpeak.config.EnvReader;
import dev.offpeak.config.KafkaClientSettings;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The ingest service's configuration, built once at start-up and then frozen. {@link #fromEnv}
 * reads {@code OFFPEAK_INGEST_*} (plus {@code OFFPEAK_KAFKA_BOOTSTRAP}) and reports every bad key
 * at once; nothing is clamped. Embedders (local mode, tests) start from {@link #defaults()} and use
 * the {@code with*} methods. Every key is a constant here and a row of the README's table
 * (IngestConfigDocsTest holds the two equal).
 *
 * @param kafkaSettings Kafka client properties passed through from {@code OFFPEAK_KAFKA_<NAME>} (every
 *     service) and {@code OFFPEAK_INGEST_KAFKA_<NAME>} (this one; wins for the same property), e.g.
 *     {@code OFFPEAK_KAFKA_SECURITY_PROTOCOL} → {@code security.protocol}; given to the producer and the
 *     health probe's admin client; may hold secrets, so they are masked in {@link #describe()}
 * @param laneShards shards per model ({@link #LANE_SHARDS}); a model not named has 1. Only picks the
 *     record key of a task ({@link #shardsFor}); see the README's "Record keys"
 */
public record IngestConfig(
        String host,
        int port,
        String bootstrapServers,
        String tasksTopic,
        String jobsTopic,
        int maxTaskBytes,
        int maxInFlight,
        Duration sendTimeout,
        Duration maxBlock,
        Duration linger,
        long bufferBytes,
        Duration retryAfter,
        Path tokenFile,
        Path modelRegistryFile,
        Map<String, Integer> laneShards,
        KafkaClientSettings kafkaSettings) {

    public static final String PREFIX = "OFFPEAK_INGEST_";
    public static final String KAFKA_PREFIX = PREFIX + "KAFKA_";
    public static final String HOST = PREFIX + "HOST";
    public static final String PORT = PREFIX + "PORT";
    public static final String BOOTSTRAP = KafkaClientSettings.BOOTSTRAP;
    public static final String TASKS_TOPIC = PREFIX + "TASKS_TOPIC";
    public static final String JOBS_TOPIC = PREFIX + "JOBS_TOPIC";
    public static final String MAX_TASK_BYTES = PREFIX + "MAX_TASK_BYTES";
    public static final String MAX_IN_FLIGHT = PREFIX + "MAX_IN_FLIGHT";
    public static final String SEND_TIMEOUT = PREFIX + "SEND_TIMEOUT";
    public static final String MAX_BLOCK = PREFIX + "MAX_BLOCK";
    public static final String LINGER = PREFIX + "LINGER";
    public static final String BUFFER_BYTES = PREFIX + "BUFFER_BYTES";
    public static final String RETRY_AFTER = PREFIX + "RETRY_AFTER";
    public static final String TOKEN_FILE = PREFIX + "TOKEN_FILE";
    /**
     * {@code model=shards,...}: the shards of a model's lanes in the record key of its tasks; set it to the
     * batcher's {@code OFFPEAK_BATCHER_LANE_SHARDS}. A different value only costs a repartition in the
     * batcher, never a missed dedup.
     */
    public static final String LANE_SHARDS = PREFIX + "LANE_SHARDS";
    /** Shared by every service: the operator's model registry override file (docs/model-registry.md). */
    public static final String MODEL_REGISTRY_FILE = ModelRegistry.OVERRIDE_FILE_KEY;

    private static final String COMPONENT = "ingest-service";

    private static final Set<String> KNOWN = ConfigKeys.declared(IngestConfig.class);

    private static final String DURABLE = "acks=all with idempotence is what makes a 202 mean the task is on every"
            + " in-sync replica, written once";

    private static final String KEYED = "the default partitioner puts a task, keyed by its packing key, on the"
            + " partition the batcher packs it in (see " + LANE_SHARDS + ")";

    /**
     * Producer settings the service sets itself: overriding the first ones would break "202 only after a
     * durable ack"; the others have their own key (or follow from one).
     */
    private static final KafkaClientSettings.Owned OWNED = new KafkaClientSettings.Owned(COMPONENT, Map.ofEntries(
            Map.entry("acks", DURABLE),
            Map.entry("enable.idempotence", DURABLE),
            Map.entry("retries", DURABLE + " (the producer retries until " + SEND_TIMEOUT + ")"),
            Map.entry("transactional.id", "a 202 answers one acknowledged send, not a transaction"),
            KafkaClientSettings.Owned.byKey("delivery.timeout.ms", SEND_TIMEOUT),
            Map.entry("request.timeout.ms", "it follows from " + SEND_TIMEOUT + " and " + LINGER
                    + " (Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms)"),
            KafkaClientSettings.Owned.byKey("max.block.ms", MAX_BLOCK),
            KafkaClientSettings.Owned.byKey("linger.ms", LINGER),
            KafkaClientSettings.Owned.byKey("buffer.memory", BUFFER_BYTES),
            KafkaClientSettings.Owned.byKey("max.request.size", MAX_TASK_BYTES),
            Map.entry("partitioner.class", KEYED),
            Map.entry("partitioner.ignore.keys", KEYED)));

    private static final int MIN_TASK_BYTES = 1024;
    private static final int MAX_TASK_BYTES_LIMIT = 64 * 1024 * 1024;
    /** The range {@code OFFPEAK_BATCHER_LANE_SHARDS} allows, so one value fits both services. */
    private static final int MIN_SHARDS = 1;
    private static final int MAX_SHARDS = 1024;

    public IngestConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(tasksTopic, "tasksTopic");
        Objects.requireNonNull(jobsTopic, "jobsTopic");
        Objects.requireNonNull(sendTimeout, "sendTimeout");
        Objects.requireNonNull(maxBlock, "maxBlock");
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(kafkaSettings, "kafkaSettings");
        laneShards = laneShards == null ? Map.of() : Map.copyOf(laneShards);
    }

    /**
     * Every default; the token file still has to exist before the service starts. The linger is
     * 20 ms: at tens of thousands of 1 KiB tasks a second spread over a dozen partitions, 5 ms left
     * each produce request with a fraction of a batch, and the producer's I/O thread and the broker
     * then spent a good part of the CPU a task costs on request overhead. A single task waits at
     * most that much longer for its acknowledgement, which nothing in a batch lane notices.
     */
    public static IngestConfig defaults() {
        return new IngestConfig("0.0.0.0", 8080, "localhost:9092", Topics.TASKS.name(), Topics.JOBS.name(),
                1024 * 1024, 1000, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMillis(20),
                64L * 1024 * 1024, Duration.ofSeconds(5), Path.of("ingest-tokens.json"), null, Map.of(),
                KafkaClientSettings.NONE);
    }

    /** Every key this configuration reads (besides the {@code OFFPEAK_KAFKA_*} and {@link #KAFKA_PREFIX} families). */
    public static Set<String> keys() {
        return KNOWN;
    }

    /** Reads and validates the environment; throws {@link dev.offpeak.config.ConfigException} listing every bad key. */
    public static IngestConfig fromEnv(Map<String, String> env) {
        IngestConfig d = defaults();
        EnvReader r = new EnvReader(env);
        IngestConfig config = new IngestConfig(
                r.string(HOST, d.host()),
                r.intValue(PORT, d.port(), 0, 65535),
                r.string(BOOTSTRAP, d.bootstrapServers()),
                r.string(TASKS_TOPIC, d.tasksTopic()),
                r.string(JOBS_TOPIC, d.jobsTopic()),
                r.intValue(MAX_TASK_BYTES, d.maxTaskBytes(), MIN_TASK_BYTES, MAX_TASK_BYTES_LIMIT),
                r.intValue(MAX_IN_FLIGHT, d.maxInFlight(), 1, 100_000),
                r.duration(SEND_TIMEOUT, d.sendTimeout(), Duration.ofSeconds(1), Duration.ofMinutes(10)),
                r.duration(MAX_BLOCK, d.maxBlock(), Duration.ZERO, Duration.ofMinutes(5)),
                r.duration(LINGER, d.linger(), Duration.ZERO, Duration.ofSeconds(1)),
                r.longValue(BUFFER_BYTES, d.bufferBytes(), 1024L * 1024, 16L * 1024 * 1024 * 1024),
                r.duration(RETRY_AFTER, d.retryAfter(), Duration.ofSeconds(1), Duration.ofHours(1)),
                r.path(TOKEN_FILE, d.tokenFile()),
                r.path(MODEL_REGISTRY_FILE, null),
                shards(r.longMap(LANE_SHARDS, MIN_SHARDS, MAX_SHARDS)),
                KafkaClientSettings.read(env, r, OWNED, KafkaClientSettings.PREFIX, KAFKA_PREFIX));
        unknownKeys(env, r);
        crossChecks(config, r);
        // Its content is checked (every problem at once) by Tenants.load when the service starts.
        r.requireReadableFile(TOKEN_FILE, config.tokenFile(), "the bearer-token file, see README");
        r.requireReadableFile(MODEL_REGISTRY_FILE, config.modelRegistryFile(), "the model registry override file");
        r.throwIfProblems(COMPONENT);
        return config;
    }

    /** Checks the record's own values (for embedders that skip {@link #fromEnv}). */
    public IngestConfig validate() {
        EnvReader r = new EnvReader(Map.of());
        crossChecks(this, r);
        if (maxTaskBytes < MIN_TASK_BYTES || maxTaskBytes > MAX_TASK_BYTES_LIMIT) {
            r.problem("maxTaskBytes", String.valueOf(maxTaskBytes),
                    "must be in [" + MIN_TASK_BYTES + ", " + MAX_TASK_BYTES_LIMIT + "]");
        }
        if (maxInFlight < 1) {
            r.problem("maxInFlight", String.valueOf(maxInFlight), "must be >= 1");
        }
        if (port < 0 || port > 65535) {
            r.problem("port", String.valueOf(port), "must be in [0, 65535]");
        }
        laneShards.forEach((model, shards) -> {
            if (model.isBlank() || shards < MIN_SHARDS || shards > MAX_SHARDS) {
                String entry = model + "=" + shards;
                r.problem("laneShards", entry, "entry '" + entry + "' must be name=number with a number between "
                        + MIN_SHARDS + " and " + MAX_SHARDS);
            }
        });
        r.throwIfProblems(COMPONENT);
        return this;
    }

    /** {@link EnvReader#longMap} values as shard counts (already checked to be within [1, 1024]). */
    private static Map<String, Integer> shards(Map<String, Long> read) {
        Map<String, Integer> shards = new LinkedHashMap<>();
        read.forEach((model, n) -> shards.put(model, n.intValue()));
        return shards;
    }

    private static void unknownKeys(Map<String, String> env, EnvReader r) {
        Set<String> known = new TreeSet<>(KNOWN);
        known.remove(BOOTSTRAP);
        known.remove(MODEL_REGISTRY_FILE);
        new TreeSet<>(env.keySet()).stream()
                .filter(k -> k.startsWith(PREFIX) && !k.startsWith(KAFKA_PREFIX) && !KNOWN.contains(k))
                .forEach(k -> r.problem(k, env.get(k), "not a known key (a typo?): known keys are " + known + ", "
                        + BOOTSTRAP + ", " + MODEL_REGISTRY_FILE + ", " + KafkaClientSettings.PREFIX + "<client property> and "
                        + KAFKA_PREFIX + "<producer property>"));
    }

    private static void crossChecks(IngestConfig c, EnvReader r) {
        if (c.sendTimeout().compareTo(c.linger().plusMillis(500)) < 0) {
            r.problem(SEND_TIMEOUT, Durations.format(c.sendTimeout()),
                    "must be at least " + LINGER + " + 500ms (" + Durations.format(c.linger().plusMillis(500)) + ")");
        }
        if (c.bufferBytes() < 2L * c.maxTaskBytes()) {
            r.problem(BUFFER_BYTES, String.valueOf(c.bufferBytes()),
                    "must be >= 2 x " + MAX_TASK_BYTES + " (" + 2L * c.maxTaskBytes() + ")");
        }
    }

    public IngestConfig withHost(String newHost) {
        return new IngestConfig(newHost, port, bootstrapServers, tasksTopic, jobsTopic, maxTaskBytes, maxInFlight,
                sendTimeout, maxBlock, linger, bufferBytes, retryAfter, tokenFile, modelRegistryFile, laneShards, kafkaSettings);
    }

    public IngestConfig withPort(int newPort) {
        return new IngestConfig(host, newPort, bootstrapServers, tasksTopic, jobsTopic, maxTaskBytes, maxInFlight,
                sendTimeout, maxBlock, linger, bufferBytes, retryAfter, tokenFile, modelRegistryFile, laneShards, kafkaSettings);
    }

    public IngestConfig withKafka(String newBootstrap, String newTasksTopic, String newJobsTopic) {
        return new IngestConfig(host, port, newBootstrap, newTasksTopic, newJobsTopic, maxTaskBytes, maxInFlight,
                sendTimeout, maxBlock, linger, bufferBytes, retryAfter, tokenFile, modelRegistryFile, laneShards, kafkaSettings);
    }

    public IngestConfig withTokenFile(Path newTokenFile) {
        return new IngestConfig(host, port, bootstrapServers, tasksTopic, jobsTopic, maxTaskBytes, maxInFlight,
                sendTimeout, maxBlock, linger, bufferBytes, retryAfter, newTokenFile, modelRegistryFile, laneShards,
                kafkaSettings);
    }

    public IngestConfig withModelRegistryFile(Path newFile) {
        return new IngestConfig(host, port, bootstrapServers, tasksTopic, jobsTopic, maxTaskBytes, maxInFlight,
                sendTimeout, maxBlock, linger, bufferBytes, retryAfter, tokenFile, newFile, laneShards, kafkaSettings);
    }

    public IngestConfig withLimits(int newMaxTaskBytes, int newMaxInFlight) {
        return new IngestConfig(host, port, bootstrapServers, tasksTopic, jobsTopic, newMaxTaskBytes, newMaxInFlight,
                sendTimeout, maxBlock, linger, bufferBytes, retryAfter, tokenFile, modelRegistryFile, laneShards, kafkaSettings);
    }

    public IngestConfig withTimeouts(Duration newSendTimeout, Duration newMaxBlock) {
        return new IngestConfig(host, port, bootstrapServers, tasksTopic, jobsTopic, maxTaskBytes, maxInFlight,
                newSendTimeout, newMaxBlock, linger, bufferBytes, retryAfter, tokenFile, modelRegistryFile, laneShards,
                kafkaSettings);
    }

    /** Shards per model (see {@link #LANE_SHARDS}); a model not named keeps 1. */
    public IngestConfig withLaneShards(Map<String, Integer> newLaneShards) {
        return new IngestConfig(host, port, bootstrapServers, tasksTopic, jobsTopic, maxTaskBytes, maxInFlight,
                sendTimeout, maxBlock, linger, bufferBytes, retryAfter, tokenFile, modelRegistryFile, newLaneShards,
                kafkaSettings);
    }

    /** How many shards the lanes of {@code model} are split into in the record key (1 unless configured). */
    public int shardsFor(String model) {
        return laneShards.getOrDefault(model, 1);
    }

    /** The effective configuration as {@code KEY=value} lines, secrets masked; safe to log. */
    public String describe() {
        Description d = new Description()
                .add(HOST, host)
                .add(PORT, port)
                .add(BOOTSTRAP, bootstrapServers)
                .add(TASKS_TOPIC, tasksTopic)
                .add(JOBS_TOPIC, jobsTopic)
                .add(MAX_TASK_BYTES, maxTaskBytes)
                .add(MAX_IN_FLIGHT, maxInFlight)
                .add(SEND_TIMEOUT, Durations.format(sendTimeout))
                .add(MAX_BLOCK, Durations.format(maxBlock))
                .add(LINGER, Durations.format(linger))
                .add(BUFFER_BYTES, bufferBytes)
                .add(RETRY_AFTER, Durations.format(retryAfter))
                .add(TOKEN_FILE, tokenFile)
                .add(MODEL_REGISTRY_FILE, modelRegistryFile == null ? "(none: the shipped registry)" : modelRegistryFile)
                .add(LANE_SHARDS, laneShards.isEmpty() ? "(none)" : new TreeMap<>(laneShards));
        return kafkaSettings.describeTo(d).toString();
    }

    @Override
    public String toString() {
        return "IngestConfig" + describe().replace("\n  ", " ");
    }
}
