package dev.offpeak.result.config;

import dev.offpeak.result.provider.ProviderEndpoint;
import dev.offpeak.schemas.events.Provider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of result-service, built once at start-up from environment variables. Every
 * bad key is reported at once; secrets are masked in {@link #toString()}.
 *
 * @param jdbcUrl        OFFPEAK_DB_URL
 * @param dbUser         OFFPEAK_DB_USER
 * @param dbPassword     OFFPEAK_DB_PASSWORD (secret)
 * @param kafkaBootstrap OFFPEAK_KAFKA_BOOTSTRAP
 * @param groupId        OFFPEAK_RESULT_GROUP_ID, default offpeak-result
 * @param owner          OFFPEAK_RESULT_INSTANCE, default host name + pid: this replica's lease name
 * @param tick           OFFPEAK_RESULT_TICK, default 1s: pause between submit/poll rounds with no work
 * @param lease          OFFPEAK_RESULT_LEASE, default 5m
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
 * @param providers      per provider OFFPEAK_{OPENAI,ANTHROPIC,GEMINI}_{BASE_URL,API_KEY}; a provider
 *                       without a key is not configured and its batches wait, visibly
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
        Map<Provider, ProviderEndpoint> providers) {

    public ResultConfig {
        quotas = Map.copyOf(quotas);
        providers = Map.copyOf(providers);
    }

    public static ResultConfig fromEnv(Map<String, String> env) {
        EnvReader r = new EnvReader(env);
        String jdbcUrl = r.required("OFFPEAK_DB_URL");
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            r.problems().add("Invalid value " + jdbcUrl + " for OFFPEAK_DB_URL: must start with jdbc:postgresql:");
        }
        String user = r.string("OFFPEAK_DB_USER", "offpeak");
        String password = r.string("OFFPEAK_DB_PASSWORD", "");
        String bootstrap = r.required("OFFPEAK_KAFKA_BOOTSTRAP");
        String group = r.string("OFFPEAK_RESULT_GROUP_ID", "offpeak-result");
        String owner = r.string("OFFPEAK_RESULT_INSTANCE", defaultOwner());
        Duration tick = r.duration("OFFPEAK_RESULT_TICK", Duration.ofSeconds(1), Duration.ofMillis(10));
        Duration lease = r.duration("OFFPEAK_RESULT_LEASE", Duration.ofMinutes(5), Duration.ofSeconds(5));
        Duration firstPoll = r.duration("OFFPEAK_RESULT_FIRST_POLL", Duration.ofSeconds(30), Duration.ofMillis(10));
        Duration pollMax = r.duration("OFFPEAK_RESULT_POLL_MAX", Duration.ofMinutes(10), firstPoll);
        Duration quotaWait = r.duration("OFFPEAK_RESULT_QUOTA_WAIT", Duration.ofMinutes(10), Duration.ofMillis(10));
        Map<String, Long> quotas = r.quotas("OFFPEAK_RESULT_QUOTAS");
        Path spool = r.path("OFFPEAK_RESULT_SPOOL_DIR", Path.of(System.getProperty("java.io.tmpdir"), "offpeak-spool"));
        int maxAttempts = r.integer("OFFPEAK_RESULT_MAX_ATTEMPTS", 3, 1);
        Duration retryDelay = r.duration("OFFPEAK_RESULT_RETRY_DELAY", Duration.ofMinutes(1), Duration.ZERO);
        int inline = r.integer("OFFPEAK_RESULT_INLINE_RESPONSE_BYTES", 65_536, 0);
        String httpHost = r.string("OFFPEAK_RESULT_HTTP_HOST", "0.0.0.0");
        int httpPort = r.integer("OFFPEAK_RESULT_HTTP_PORT", 8082, 0);
        Path tokenFile = r.path("OFFPEAK_RESULT_TOKEN_FILE", null);
        if (tokenFile != null && !java.nio.file.Files.isReadable(tokenFile)) {
            r.problems().add("Invalid value " + tokenFile + " for OFFPEAK_RESULT_TOKEN_FILE: not a readable file");
        }
        Map<Provider, ProviderEndpoint> providers = new EnumMap<>(Provider.class);
        provider(r, providers, Provider.OPENAI, ProviderEndpoint.OPENAI_DEFAULT);
        provider(r, providers, Provider.ANTHROPIC, ProviderEndpoint.ANTHROPIC_DEFAULT);
        provider(r, providers, Provider.GEMINI, ProviderEndpoint.GEMINI_DEFAULT);
        if (!r.problems().isEmpty()) {
            throw new ConfigException(r.problems());
        }
        return new ResultConfig(jdbcUrl, user, password, bootstrap, group, owner, tick, lease, firstPoll, pollMax,
                quotaWait, quotas, spool, maxAttempts, retryDelay, inline, httpHost, httpPort, tokenFile, providers);
    }

    private static void provider(EnvReader r, Map<Provider, ProviderEndpoint> out, Provider provider, URI fallback) {
        String prefix = "OFFPEAK_" + provider.name() + "_";
        URI base = r.url(prefix + "BASE_URL", fallback);
        String key = r.string(prefix + "API_KEY", null);
        if (key != null) {
            out.put(provider, new ProviderEndpoint(base, key, ProviderEndpoint.Timeouts.defaults()));
        }
    }

    private static String defaultOwner() {
        String host = System.getenv().getOrDefault("HOSTNAME", "result");
        return host + "-" + ProcessHandle.current().pid();
    }

    @Override
    public String toString() {
        return "ResultConfig[jdbcUrl=" + jdbcUrl + ", dbUser=" + dbUser + ", dbPassword=****"
                + ", kafkaBootstrap=" + kafkaBootstrap + ", groupId=" + groupId + ", owner=" + owner + ", tick=" + tick
                + ", lease=" + lease + ", firstPoll=" + firstPoll + ", pollMax=" + pollMax + ", quotaWait=" + quotaWait
                + ", quotas=" + quotas + ", spoolDir=" + spoolDir + ", maxAttempts=" + maxAttempts + ", retryDelay="
                + retryDelay + ", inlineResponseBytes=" + inlineResponseBytes + ", http=" + httpHost + ":" + httpPort
                + ", tokenFile=" + tokenFile + ", providers=" + providers + "]";
    }

    /** Every configuration problem found at start-up. */
    public static final class ConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public ConfigException(List<String> problems) {
            super("invalid result-service configuration:\n  " + String.join("\n  ", problems));
        }
    }
}
