package dev.offpeak.result.config;

import dev.offpeak.config.ConfigKeys;
import dev.offpeak.config.Description;
import dev.offpeak.config.Durations;
import dev.offpeak.config.EnvReader;
import dev.offpeak.config.KafkaClientSettings;
import dev.offpeak.result.provider.ProviderEndpoint;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.Set;

/**
 * The configuration of result-service, built once at start-up from environment variables. Every
 * bad key is reported at once; secrets are masked in {@link #describe()} and {@link #toString()}.
 * Every key is a constant here and a row of the README's table (ResultConfigDocsTest holds the
 * two equal).
 *
 * @param jdbcUrl        OFFPEAK_DB_URL
 * @param dbUser         OFFPEAK_DB_USER
 * @param dbPassword     OFFPEAK_DB_PASSWORD (secret)
 * @param kafkaBootstrap OFFPEAK_KAFKA_BOOTSTRAP
 * @param groupId        OFFPEAK_RESULT_GROUP_ID, default offpeak-result
 * @param owner          OFFPEAK_RESULT_INSTANCE, default the host name: this replica's name (leases, identity
 *                       lock, Kafka group.instance.id), unique per replica and the same across restarts
 * @param tick           OFFPEAK_RESULT_TICK, default 1s: pause between submit/poll rounds with no work
 * @param lease          OFFPEAK_RESULT_LEASE, default 15s: how long a claim outlives its holder's last
 *                       heartbeat (renewed every lease / 3)
 * @param firstPoll      OFFPEAK_RESULT_FIRST_POLL, default 30s
 * @param pollMax        OFFPEAK_RESULT_POLL_MAX, default 10m: longest gap between polls of a running batch
 * @param quotaWait      OFFPEAK_RESULT_QUOTA_WAIT, default 10m
 * @param quotas         OFFPEAK_RESULT_QUOTAS, e.g. openai/gpt-4o-mini=2000000 (enqueued tokens)
 * @param spoolDir       OFFPEAK_RESULT_SPOOL_DIR, default the temp dir
 * @param maxAttempts    OFFPEAK_RESULT_MAX_ATTEMPTS, default 3: attempts per request before its tasks fail
 * @param retryDelay     OFFPEAK_RESULT_RETRY_DELAY, default 1m: wait before a retry batch is submitted
 * @param inlineResponseBytes OFFPEAK_RESULT_INLINE_RESPONSE_BYTES, default 65536: larger bodies are
 *                       referenced from task.completed, not inlined
 * @param httpHost       OFFPEAK_RESULT_HTTP_HOST, default 0.0.0.0
 * @param httpPort       OFFPEAK_RESULT_HTTP_PORT, default 8082: health, /metrics and the read API (0 = any free port)
 * @param tokenFile      OFFPEAK_RESULT_TOKEN_FILE: the bearer-token file (same format as ingest's); unset,
 *                       the read API answers 401
 * @param adminToken     OFFPEAK_RESULT_ADMIN_TOKEN (secret): the bearer token of the admin API (budgets of every
 *                       tenant); null when unset, and the admin API answers 403
 * @param providers      per provider OFFPEAK_{OPENAI,ANTHROPIC,GEMINI}_{BASE_URL,API_KEY}; a provider
 *                       without a key is not configured and its batches wait, visibly
 * @param kafkaSettings  OFFPEAK_KAFKA_&lt;NAME&gt;: Kafka client properties for the consumer and the producer
 *                       (security settings and tuning; what the service relies on is refused), secrets masked
 */
public record ResultConfig(
        String jdbcUrl,
        String dbUser,
        String dbPassword,
        String kafkaBootstrap,
        String groupId,
        String owner,
        Duration tick,
        Duration lease,
        Duration firstPoll,
        Duration pollMax,
        Duration quotaWait,
        Map<String, Long> quotas,
        Path spoolDir,
        int maxAttempts,
        Duration retryDelay,
        int inlineResponseBytes,
        String httpHost,
        int httpPort,
        Path tokenFile,
        String adminToken,
        Path modelRegistryFile,
        Map<Provider, ProviderEndpoint> providers,
        KafkaClientSettings kafkaSettings,
        java.util.Set<String> promptCachingOff,
        Duration rescueBuffer,
        java.util.Set<Provider> rescueProviders,
        int syncConcurrency,
        Map<String, dev.offpeak.schemas.pricing.RequestedMode> laneModes,
        Map<String, dev.offpeak.result.submit.SyncThrottle.Limit> syncRateLimits) {

    /** Whether Offpeak may change {@code tenant}'s requests for the provider's prompt cache. */
    public boolean promptCachingFor(String tenant) {
        return !promptCachingOff.contains(ALL_TENANTS) && (tenant == null || !promptCachingOff.contains(tenant));
    }

    /** In {@link #PROMPT_CACHING_OFF}: every tenant. */
    public static final String ALL_TENANTS = "*";

    public static final String DB_URL = "OFFPEAK_DB_URL";
    public static final String DB_USER = "OFFPEAK_DB_USER";
    public static final String DB_PASSWORD = "OFFPEAK_DB_PASSWORD";
    public static final String KAFKA_BOOTSTRAP = "OFFPEAK_KAFKA_BOOTSTRAP";
    public static final String PREFIX = "OFFPEAK_RESULT_";
    public static final String GROUP_ID = PREFIX + "GROUP_ID";
    public static final String INSTANCE = PREFIX + "INSTANCE";
    public static final String TICK = PREFIX + "TICK";
    public static final String LEASE = PREFIX + "LEASE";
    public static final String FIRST_POLL = PREFIX + "FIRST_POLL";
    public static final String POLL_MAX = PREFIX + "POLL_MAX";
    public static final String QUOTA_WAIT = PREFIX + "QUOTA_WAIT";
    public static final String QUOTAS = PREFIX + "QUOTAS";
    public static final String SPOOL_DIR = PREFIX + "SPOOL_DIR";
    public static final String MAX_ATTEMPTS = PREFIX + "MAX_ATTEMPTS";
    public static final String RETRY_DELAY = PREFIX + "RETRY_DELAY";
    public static final String INLINE_RESPONSE_BYTES = PREFIX + "INLINE_RESPONSE_BYTES";
    public static final String HTTP_HOST = PREFIX + "HTTP_HOST";
    public static final String HTTP_PORT = PREFIX + "HTTP_PORT";
    public static final String TOKEN_FILE = PREFIX + "TOKEN_FILE";
    public static final String ADMIN_TOKEN = PREFIX + "ADMIN_TOKEN";
    public static final String PROMPT_CACHING_OFF = PREFIX + "PROMPT_CACHING_OFF";
    public static final String RESCUE_BUFFER = PREFIX + "RESCUE_BUFFER";
    public static final String RESCUE_PROVIDERS = PREFIX + "RESCUE_PROVIDERS";
    public static final String SYNC_CONCURRENCY = PREFIX + "SYNC_CONCURRENCY";
    public static final String LANE_MODES = PREFIX + "LANE_MODES";
    public static final String SYNC_RATE_LIMITS = PREFIX + "SYNC_RATE_LIMITS";
    /** Synchronous calls in flight at once per flex / sync batch, unless {@link #SYNC_CONCURRENCY} says otherwise. */
    public static final int DEFAULT_SYNC_CONCURRENCY = 8;
    /** Shared by every service: the operator's model registry override file (docs/model-registry.md). */
    public static final String MODEL_REGISTRY_FILE = ModelRegistry.OVERRIDE_FILE_KEY;
    public static final String OPENAI_BASE_URL = "OFFPEAK_OPENAI_BASE_URL";
    public static final String OPENAI_API_KEY = "OFFPEAK_OPENAI_API_KEY";
    public static final String ANTHROPIC_BASE_URL = "OFFPEAK_ANTHROPIC_BASE_URL";
    public static final String ANTHROPIC_API_KEY = "OFFPEAK_ANTHROPIC_API_KEY";
    public static final String GEMINI_BASE_URL = "OFFPEAK_GEMINI_BASE_URL";
    public static final String GEMINI_API_KEY = "OFFPEAK_GEMINI_API_KEY";

    private static final Map<Provider, String> BASE_URL_KEYS = Map.of(Provider.OPENAI, OPENAI_BASE_URL,
            Provider.ANTHROPIC, ANTHROPIC_BASE_URL, Provider.GEMINI, GEMINI_BASE_URL);
    private static final Map<Provider, String> API_KEY_KEYS = Map.of(Provider.OPENAI, OPENAI_API_KEY,
            Provider.ANTHROPIC, ANTHROPIC_API_KEY, Provider.GEMINI, GEMINI_API_KEY);

    /** How {@link dev.offpeak.config.ConfigException}s of this service name it. */
    public static final String COMPONENT = "result-service";

    private static final String ACKED_ONCE = "acks=all with idempotence: the outbox marks an event sent only once "
            + "every in-sync replica has it, and a retry never writes it twice";

    /** Consumer and producer settings the service relies on (or sets from a key of its own): refused as a pass-through. */
    private static final KafkaClientSettings.Owned OWNED_KAFKA = new KafkaClientSettings.Owned(COMPONENT, Map.ofEntries(
            KafkaClientSettings.Owned.byKey("group.id", GROUP_ID),
            KafkaClientSettings.Owned.byKey("group.instance.id", INSTANCE),
            Map.entry("isolation.level", "read_committed: the batcher writes in transactions, and an aborted "
                    + "batch item must never be ingested"),
            Map.entry("enable.auto.commit", "offsets are committed only after the database transaction that "
                    + "stored their records commits"),
            Map.entry("auto.offset.reset", "earliest: events published before the group first started must be "
                    + "ingested too"),
            Map.entry("acks", ACKED_ONCE),
            Map.entry("enable.idempotence", ACKED_ONCE),
            Map.entry("transactional.id", "the outbox relay sends without transactions (consumers dedup by "
                    + "event_id); a transactional producer would refuse every send")));

    public ResultConfig {
        quotas = Map.copyOf(quotas);
        providers = Map.copyOf(providers);
    }

    /** Every key this configuration reads. */
    public static Set<String> keys() {
        return ConfigKeys.declared(ResultConfig.class);
    }

    /** {@code OFFPEAK_OPENAI_BASE_URL} and the like. */
    public static String baseUrlKey(Provider p) {
        return BASE_URL_KEYS.get(p);
    }

    /** {@code OFFPEAK_OPENAI_API_KEY} and the like. */
    public static String apiKeyKey(Provider p) {
        return API_KEY_KEYS.get(p);
    }

    /** Reads and validates; throws {@link dev.offpeak.config.ConfigException} naming every bad key at once. */
    public static ResultConfig fromEnv(Map<String, String> env) {
        EnvReader r = new EnvReader(env);
        String jdbcUrl = r.required(DB_URL);
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            r.problem(DB_URL, jdbcUrl, "must start with jdbc:postgresql:");
        }
        String user = r.string(DB_USER, "offpeak");
        String password = r.string(DB_PASSWORD, "");
        String bootstrap = r.required(KAFKA_BOOTSTRAP);
        String group = r.string(GROUP_ID, "offpeak-result");
        String owner = r.string(INSTANCE, defaultOwner());
        if (owner != null && !INSTANCE_NAME.matcher(owner).matches()) {
            r.problem(INSTANCE, owner, "must be 1 to 200 letters, digits, '.', '_' or '-' (it is also the Kafka"
                    + " group.instance.id), unique per replica and the same across its restarts");
        }
        Duration tick = r.duration(TICK, Duration.ofSeconds(1), Duration.ofMillis(10));
        Duration lease = r.duration(LEASE, Duration.ofSeconds(15), Duration.ofSeconds(3));
        Duration firstPoll = r.duration(FIRST_POLL, Duration.ofSeconds(30), Duration.ofMillis(10));
        Duration pollMax = r.duration(POLL_MAX, Duration.ofMinutes(10), firstPoll);
        Duration quotaWait = r.duration(QUOTA_WAIT, Duration.ofMinutes(10), Duration.ofMillis(10));
        Map<String, Long> quotas = r.longMap(QUOTAS, 1, Long.MAX_VALUE);
        quotas.keySet().stream().filter(model -> !model.contains("/")).forEach(model ->
                r.problem(QUOTAS, model, "entries must be provider/model=tokens"));
        Path spool = r.path(SPOOL_DIR, Path.of(System.getProperty("java.io.tmpdir"), "offpeak-spool"));
        int maxAttempts = r.intValue(MAX_ATTEMPTS, 3, 1, Integer.MAX_VALUE);
        Duration retryDelay = r.duration(RETRY_DELAY, Duration.ofMinutes(1), Duration.ZERO);
        int inline = r.intValue(INLINE_RESPONSE_BYTES, 65_536, 0, Integer.MAX_VALUE);
        String httpHost = r.string(HTTP_HOST, "0.0.0.0");
        int httpPort = r.intValue(HTTP_PORT, 8082, 0, 65535);
        Path tokenFile = r.path(TOKEN_FILE, null);
        // Its content is checked (every problem at once) when the service starts.
        r.requireReadableFile(TOKEN_FILE, tokenFile, "the bearer-token file, see README");
        String adminToken = r.string(ADMIN_TOKEN, null);
        if (adminToken != null && adminToken.length() < MIN_ADMIN_TOKEN_LENGTH) {
            // the value is a secret: masked here as in the log
            r.problem(ADMIN_TOKEN, Description.MASK, "must be at least " + MIN_ADMIN_TOKEN_LENGTH
                    + " characters (e.g. openssl rand -hex 24); unset, the admin API is disabled");
        }
        Path registryFile = r.path(MODEL_REGISTRY_FILE, null);
        r.requireReadableFile(MODEL_REGISTRY_FILE, registryFile, "the model registry override file");
        Map<Provider, ProviderEndpoint> providers = new EnumMap<>(Provider.class);
        provider(r, providers, Provider.OPENAI, ProviderEndpoint.OPENAI_DEFAULT);
        provider(r, providers, Provider.ANTHROPIC, ProviderEndpoint.ANTHROPIC_DEFAULT);
        provider(r, providers, Provider.GEMINI, ProviderEndpoint.GEMINI_DEFAULT);
        KafkaClientSettings kafka = KafkaClientSettings.read(env, r, OWNED_KAFKA, KafkaClientSettings.PREFIX);
        java.util.Set<String> cachingOff = new java.util.TreeSet<>();
        String off = r.string(PROMPT_CACHING_OFF, null);
        if (off != null) {
            for (String tenant : off.split(",", -1)) {
                String t = tenant.strip();
                if (!t.equals(ALL_TENANTS) && !TENANT_NAME.matcher(t).matches()) {
                    r.problem(PROMPT_CACHING_OFF, off, "a comma-separated list of tenants ([A-Za-z0-9._-], 1-200 "
                            + "characters) or * for every tenant");
                    break;
                }
                cachingOff.add(t);
            }
        }
        Duration rescueBuffer = r.duration(RESCUE_BUFFER, dev.offpeak.result.poll.Rescue.DEFAULT_BUFFER, Duration.ZERO);
        java.util.Set<Provider> rescueProviders = java.util.EnumSet.noneOf(Provider.class);
        String rescueList = r.string(RESCUE_PROVIDERS, null);
        if (rescueList == null) {
            rescueProviders.addAll(dev.offpeak.result.poll.Rescue.DEFAULT_PROVIDERS);
        } else {
            for (String name : rescueList.split(",", -1)) {
                try {
                    rescueProviders.add(Provider.of(name.strip()));
                } catch (IllegalArgumentException e) {
                    r.problem(RESCUE_PROVIDERS, rescueList, "a comma-separated list of openai, anthropic, gemini");
                    break;
                }
            }
        }
        int syncConcurrency = r.intValue(SYNC_CONCURRENCY, DEFAULT_SYNC_CONCURRENCY, 1, 256);
        Map<String, dev.offpeak.schemas.pricing.RequestedMode> laneModes = Map.of();
        String laneModeText = r.string(LANE_MODES, null);
        try {
            laneModes = dev.offpeak.result.submit.ModeChooser.parse(laneModeText);
        } catch (IllegalArgumentException e) {
            r.problem(LANE_MODES, laneModeText, e.getMessage());
        }
        Map<String, dev.offpeak.result.submit.SyncThrottle.Limit> syncRateLimits = Map.of();
        String rateLimitText = r.string(SYNC_RATE_LIMITS, null);
        try {
            syncRateLimits = dev.offpeak.result.submit.SyncThrottle.parse(rateLimitText);
        } catch (IllegalArgumentException e) {
            r.problem(SYNC_RATE_LIMITS, rateLimitText, e.getMessage());
        }
        r.throwIfProblems(COMPONENT);
        return new ResultConfig(jdbcUrl, user, password, bootstrap, group, owner, tick, lease, firstPoll, pollMax,
                quotaWait, quotas, spool, maxAttempts, retryDelay, inline, httpHost, httpPort, tokenFile,
                adminToken, registryFile, providers, kafka, java.util.Collections.unmodifiableSet(cachingOff),
                rescueBuffer, java.util.Set.copyOf(rescueProviders), syncConcurrency, laneModes,
                syncRateLimits);
    }

    private static void provider(EnvReader r, Map<Provider, ProviderEndpoint> out, Provider provider, URI fallback) {
        URI base = r.url(baseUrlKey(provider), fallback);
        String key = r.string(apiKeyKey(provider), null);
        if (key != null) {
            out.put(provider, new ProviderEndpoint(base, key, ProviderEndpoint.Timeouts.defaults()));
        }
    }

    /**
     * The host name: stable across restarts, so a restarted replica takes its own leases back at once.
     * Replicas that share a host must each set {@link #INSTANCE}.
     */
    private static String defaultOwner() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "result";
            }
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    private static final Pattern INSTANCE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern TENANT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    /** Shortest admin token taken: it can set any tenant's budgets. */
    private static final int MIN_ADMIN_TOKEN_LENGTH = 16;

    /** The effective configuration as {@code KEY=value} lines, secrets masked; safe to log. */
    public String describe() {
        Description d = new Description()
                .add(DB_URL, jdbcUrl)
                .add(DB_USER, dbUser)
                .add(DB_PASSWORD, dbPassword)
                .add(KAFKA_BOOTSTRAP, kafkaBootstrap)
                .add(GROUP_ID, groupId)
                .add(INSTANCE, owner)
                .add(TICK, Durations.format(tick))
                .add(LEASE, Durations.format(lease))
                .add(FIRST_POLL, Durations.format(firstPoll))
                .add(POLL_MAX, Durations.format(pollMax))
                .add(QUOTA_WAIT, Durations.format(quotaWait))
                .add(QUOTAS, quotas.isEmpty() ? "(none)" : quotas)
                .add(SPOOL_DIR, spoolDir)
                .add(MAX_ATTEMPTS, maxAttempts)
                .add(RETRY_DELAY, Durations.format(retryDelay))
                .add(INLINE_RESPONSE_BYTES, inlineResponseBytes)
                .add(HTTP_HOST, httpHost)
                .add(HTTP_PORT, httpPort)
                .add(TOKEN_FILE, tokenFile == null ? "(none: the read API answers 401)" : tokenFile)
                .secret(ADMIN_TOKEN, adminToken)
                .add(PROMPT_CACHING_OFF, promptCachingOff.isEmpty() ? "(none: on for every tenant)" : promptCachingOff)
                .add(RESCUE_BUFFER, rescueBuffer.isZero() ? "0 (no rescue)" : Durations.format(rescueBuffer))
                .add(RESCUE_PROVIDERS, rescueProviders.stream().map(Provider::id).sorted().toList())
                .add(SYNC_CONCURRENCY, syncConcurrency)
                .add(LANE_MODES, laneModes.isEmpty() ? "(none: every lane runs in batch)" : laneModes)
                .add(SYNC_RATE_LIMITS, syncRateLimits.isEmpty() ? "(none: the providers' rate-limit headers only)"
                        : syncRateLimits)
                .add(MODEL_REGISTRY_FILE, modelRegistryFile == null ? "(none: the shipped registry)" : modelRegistryFile);
        for (Provider p : Provider.values()) {
            ProviderEndpoint endpoint = providers.get(p);
            d.add(baseUrlKey(p), endpoint == null ? "(not configured)" : endpoint.baseUrl())
                    .secret(apiKeyKey(p), endpoint == null ? null : endpoint.apiKey());
        }
        return kafkaSettings.describeTo(d).toString();
    }

    @Override
    public String toString() {
        return "ResultConfig" + describe().replace("\n  ", " ");
    }
}
