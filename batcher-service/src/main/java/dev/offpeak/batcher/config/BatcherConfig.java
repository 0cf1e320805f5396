package dev.offpeak.batcher.config;

import dev.offpeak.config.ConfigKeys;
import dev.offpeak.config.Description;
import dev.offpeak.config.Durations;
import dev.offpeak.config.EnvReader;
import dev.offpeak.config.KafkaClientSettings;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The batcher's configuration, read once at startup from {@code OFFPEAK_BATCHER_*} environment
 * variables (and {@code OFFPEAK_KAFKA_BOOTSTRAP}), validated as a whole, then frozen. Every key
 * and default is listed in the module README (BatcherConfigDocsTest holds the two equal) and in
 * {@link #describe()}.
 *
 * @param kafkaSettings Kafka client properties passed through from {@code OFFPEAK_KAFKA_<NAME>}: plain
 *     ones reach every client of Kafka Streams (its consumers, producers and admin client), and
 *     {@code OFFPEAK_KAFKA_PRODUCER_*} or {@code OFFPEAK_KAFKA_MAIN_CONSUMER_*} aim at one kind; masked
 *     where they may hold secrets
 */
public record BatcherConfig(
        String bootstrapServers,
        String applicationId,
        String instanceId,
        Path stateDir,
        int streamThreads,
        Duration commitInterval,
        Duration dedupWindow,
        Duration maxWait,
        Duration checkInterval,
        Duration sealGrace,
        double safetyMargin,
        long maxRecordBytes,
        Map<Provider, ProviderLimits> providerLimits,
        Map<String, Long> tokenLimits,
        Map<String, Long> laneShards,
        int httpPort,
        Path modelRegistryFile,
        KafkaClientSettings kafkaSettings) {

    public static final String BOOTSTRAP = KafkaClientSettings.BOOTSTRAP;
    public static final String PREFIX = "OFFPEAK_BATCHER_";
    public static final String APPLICATION_ID = PREFIX + "APPLICATION_ID";
    public static final String INSTANCE_ID = PREFIX + "INSTANCE_ID";
    public static final String STATE_DIR = PREFIX + "STATE_DIR";
    public static final String STREAM_THREADS = PREFIX + "STREAM_THREADS";
    public static final String COMMIT_INTERVAL = PREFIX + "COMMIT_INTERVAL";
    public static final String DEDUP_WINDOW = PREFIX + "DEDUP_WINDOW";
    public static final String MAX_WAIT = PREFIX + "MAX_WAIT";
    public static final String CHECK_INTERVAL = PREFIX + "CHECK_INTERVAL";
    public static final String SEAL_GRACE = PREFIX + "SEAL_GRACE";
    public static final String SAFETY_MARGIN = PREFIX + "SAFETY_MARGIN";
    public static final String MAX_RECORD_BYTES = PREFIX + "MAX_RECORD_BYTES";
    public static final String TOKEN_LIMITS = PREFIX + "TOKEN_LIMITS";
    public static final String LANE_SHARDS = PREFIX + "LANE_SHARDS";
    /** Port of /health/live, /health/ready and /metrics (0 = any free port). */
    public static final String HTTP_PORT = PREFIX + "HTTP_PORT";
    /** Shared by every service: the operator's model registry override file (docs/model-registry.md). */
    public static final String MODEL_REGISTRY_FILE = ModelRegistry.OVERRIDE_FILE_KEY;
    public static final int DEFAULT_HTTP_PORT = 8081;

    public BatcherConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        providerLimits = Map.copyOf(providerLimits);
        tokenLimits = Map.copyOf(tokenLimits);
        laneShards = Map.copyOf(laneShards);
        Objects.requireNonNull(kafkaSettings, "kafkaSettings");
    }

    private static final String EXACTLY_ONCE = "processing.guarantee=exactly_once_v2 sets it as exactly-once needs it "
            + "(read_committed, an idempotent transactional producer, offsets committed in the transaction)";

    /**
     * Streams and client settings the batcher sets itself: exactly-once and what it needs, which a
     * task's being batched once and only once rests on, and those with a key of their own.
     */
    private static final KafkaClientSettings.Owned OWNED = new KafkaClientSettings.Owned("batcher", Map.ofEntries(
            Map.entry("processing.guarantee", "exactly_once_v2 is what keeps a task from being lost or batched twice "
                    + "across restarts and rebalances"),
            Map.entry("isolation.level", EXACTLY_ONCE),
            Map.entry("enable.idempotence", EXACTLY_ONCE),
            Map.entry("acks", EXACTLY_ONCE),
            Map.entry("transactional.id", EXACTLY_ONCE),
            Map.entry("enable.auto.commit", EXACTLY_ONCE),
            Map.entry("auto.offset.reset", "earliest: tasks on the topic before the batcher's first start must be "
                    + "batched too"),
            KafkaClientSettings.Owned.byKey("application.id", APPLICATION_ID),
            KafkaClientSettings.Owned.byKey("group.instance.id", INSTANCE_ID),
            KafkaClientSettings.Owned.byKey("state.dir", STATE_DIR),
            KafkaClientSettings.Owned.byKey("num.stream.threads", STREAM_THREADS),
            KafkaClientSettings.Owned.byKey("commit.interval.ms", COMMIT_INTERVAL),
            KafkaClientSettings.Owned.byKey("max.request.size", MAX_RECORD_BYTES)));

    public static final String OPENAI_MAX_REQUESTS = PREFIX + "OPENAI_MAX_REQUESTS";
    public static final String OPENAI_MAX_BYTES = PREFIX + "OPENAI_MAX_BYTES";
    public static final String ANTHROPIC_MAX_REQUESTS = PREFIX + "ANTHROPIC_MAX_REQUESTS";
    public static final String ANTHROPIC_MAX_BYTES = PREFIX + "ANTHROPIC_MAX_BYTES";
    public static final String GEMINI_MAX_REQUESTS = PREFIX + "GEMINI_MAX_REQUESTS";
    public static final String GEMINI_MAX_BYTES = PREFIX + "GEMINI_MAX_BYTES";

    private static final Map<Provider, String> MAX_REQUESTS_KEYS = Map.of(Provider.OPENAI, OPENAI_MAX_REQUESTS,
            Provider.ANTHROPIC, ANTHROPIC_MAX_REQUESTS, Provider.GEMINI, GEMINI_MAX_REQUESTS);
    private static final Map<Provider, String> MAX_BYTES_KEYS = Map.of(Provider.OPENAI, OPENAI_MAX_BYTES,
            Provider.ANTHROPIC, ANTHROPIC_MAX_BYTES, Provider.GEMINI, GEMINI_MAX_BYTES);

    /** {@code OFFPEAK_BATCHER_OPENAI_MAX_REQUESTS} and the like. */
    public static String maxRequestsKey(Provider p) {
        return MAX_REQUESTS_KEYS.get(p);
    }

    public static String maxBytesKey(Provider p) {
        return MAX_BYTES_KEYS.get(p);
    }

    /** Every key this configuration reads. */
    public static Set<String> keys() {
        return ConfigKeys.declared(BatcherConfig.class);
    }

    public static BatcherConfig fromEnv() {
        return fromEnv(System.getenv());
    }

    /** Reads and validates; throws {@link dev.offpeak.config.ConfigException} naming every bad key and value at once. */
    public static BatcherConfig fromEnv(Map<String, String> env) {
        EnvReader r = new EnvReader(env);
        String bootstrap = r.string(BOOTSTRAP, "localhost:9092");
        String appId = r.string(APPLICATION_ID, "offpeak-batcher");
        String instanceId = r.string(INSTANCE_ID, "");
        Path stateDir = r.path(STATE_DIR, Path.of(System.getProperty("java.io.tmpdir"), "offpeak-batcher"));
        int threads = (int) r.longValue(STREAM_THREADS, 1, 1, 64);
        int httpPort = r.intValue(HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65535);
        // Each exactly-once commit flushes the producer and commits a transaction (several broker round
        // trips). At Streams' 100 ms default that was ~30% of the stream threads' time in the bench;
        // batches wait minutes anyway, so a second more per hop costs users nothing.
        Duration commit = r.duration(COMMIT_INTERVAL, Duration.ofSeconds(1), Duration.ofMillis(10));
        Duration window = r.duration(DEDUP_WINDOW, Duration.ofHours(24), Duration.ofSeconds(1));
        Duration maxWait = r.duration(MAX_WAIT, Duration.ofMinutes(10), Duration.ofSeconds(1));
        Duration check = r.duration(CHECK_INTERVAL, Duration.ofSeconds(1), Duration.ofMillis(10));
        Duration grace = r.duration(SEAL_GRACE, Duration.ofSeconds(2), Duration.ZERO);
        double margin = r.fraction(SAFETY_MARGIN, 0.05, 0.0, 0.5);
        long maxRecord = r.bytes(MAX_RECORD_BYTES, 1_000_000L, 16_384);
        Map<Provider, ProviderLimits> limits = new EnumMap<>(Provider.class);
        for (Provider p : Provider.values()) {
            ProviderLimits d = defaults(p);
            limits.put(p, new ProviderLimits(
                    r.longValue(maxRequestsKey(p), d.maxRequests(), 1, d.maxRequests() * 10),
                    r.bytes(maxBytesKey(p), d.maxBytes(), 1024)));
        }
        Map<String, Long> tokens = r.longMap(TOKEN_LIMITS, 1, Long.MAX_VALUE);
        Map<String, Long> shards = r.longMap(LANE_SHARDS, 1, 1024);
        if (check.compareTo(maxWait) > 0) {
            r.problem(CHECK_INTERVAL, Durations.format(check), "must be <= " + MAX_WAIT + " (" + Durations.format(maxWait) + ")");
        }
        Path registryFile = r.path(MODEL_REGISTRY_FILE, null);
        r.requireReadableFile(MODEL_REGISTRY_FILE, registryFile, "the model registry override file");
        KafkaClientSettings kafka = KafkaClientSettings.read(env, r, OWNED, KafkaClientSettings.PREFIX);
        r.throwIfProblems("batcher");
        return new BatcherConfig(bootstrap, appId, instanceId, stateDir, threads, commit, window, maxWait, check, grace, margin,
                maxRecord, limits, tokens, shards, httpPort, registryFile, kafka);
    }

    static ProviderLimits defaults(Provider p) {
        return switch (p) {
            case OPENAI -> ProviderLimits.OPENAI;
            case ANTHROPIC -> ProviderLimits.ANTHROPIC;
            case GEMINI -> ProviderLimits.GEMINI;
        };
    }

    /** The limits of one lane: its provider's, margin applied, with the model's token limit if configured. */
    public LaneLimits limitsFor(Provider provider, String model) {
        return LaneLimits.of(providerLimits.get(provider), tokenLimits.get(model), safetyMargin);
    }

    /** How many shards the lanes of a model are split into (1 unless configured for a hot model). */
    public int shardsFor(String model) {
        return laneShards.getOrDefault(model, 1L).intValue();
    }

    /** The effective configuration, one {@code KEY=value} per line, Kafka secrets masked. */
    public String describe() {
        Description d = new Description()
                .add(BOOTSTRAP, bootstrapServers)
                .add(APPLICATION_ID, applicationId)
                .add(INSTANCE_ID, instanceId.isEmpty() ? "(none: dynamic group membership)" : instanceId)
                .add(STATE_DIR, stateDir)
                .add(STREAM_THREADS, streamThreads)
                .add(COMMIT_INTERVAL, Durations.format(commitInterval))
                .add(DEDUP_WINDOW, Durations.format(dedupWindow))
                .add(MAX_WAIT, Durations.format(maxWait))
                .add(CHECK_INTERVAL, Durations.format(checkInterval))
                .add(SEAL_GRACE, Durations.format(sealGrace))
                .add(SAFETY_MARGIN, safetyMargin)
                .add(MAX_RECORD_BYTES, maxRecordBytes);
        for (Provider p : Provider.values()) {
            d.add(maxRequestsKey(p), providerLimits.get(p).maxRequests()).add(maxBytesKey(p), providerLimits.get(p).maxBytes());
        }
        d.add(TOKEN_LIMITS, tokenLimits.isEmpty() ? "(none)" : tokenLimits)
                .add(LANE_SHARDS, laneShards.isEmpty() ? "(none)" : laneShards)
                .add(HTTP_PORT, httpPort)
                .add(MODEL_REGISTRY_FILE, modelRegistryFile == null ? "(none: the shipped registry)" : modelRegistryFile);
        return kafkaSettings.describeTo(d).toString();
    }
}
