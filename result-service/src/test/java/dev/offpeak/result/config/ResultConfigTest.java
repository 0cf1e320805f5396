package dev.offpeak.result.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.config.ConfigException;
import dev.offpeak.schemas.events.Provider;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultConfigTest {
    private static final Map<String, String> MINIMAL = Map.of(
            "OFFPEAK_DB_URL", "jdbc:postgresql://localhost:5432/offpeak",
            "OFFPEAK_KAFKA_BOOTSTRAP", "localhost:9092");

    @Test
    void defaultsAreSaneAndProvidersWithoutKeysAreNotConfigured() {
        ResultConfig c = ResultConfig.fromEnv(MINIMAL);
        assertThat(c.firstPoll()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.lease()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.groupId()).isEqualTo("offpeak-result");
        assertThat(c.providers()).isEmpty();
        assertThat(c.owner()).as("the host name: the same after a restart").matches("[A-Za-z0-9._-]{1,200}")
                .isEqualTo(ResultConfig.fromEnv(MINIMAL).owner());
    }

    @Test
    void anInstanceNameMustBeUsableAsAKafkaGroupInstanceId() {
        Map<String, String> env = new java.util.HashMap<>(MINIMAL);
        env.put(ResultConfig.INSTANCE, "result 1/a");
        assertThatThrownBy(() -> ResultConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value result 1/a for OFFPEAK_RESULT_INSTANCE: must be 1 to 200 letters,"
                        + " digits, '.', '_' or '-'");
        env.put(ResultConfig.INSTANCE, "result-1.eu_west");
        assertThat(ResultConfig.fromEnv(env).owner()).isEqualTo("result-1.eu_west");
    }

    @Test
    void everyBadKeyIsReportedAtOnceNamingKeyAndValue() {
        assertThatThrownBy(() -> ResultConfig.fromEnv(Map.of(
                "OFFPEAK_DB_URL", "mysql://x",
                "OFFPEAK_RESULT_TICK", "0s",
                "OFFPEAK_RESULT_LEASE", "soon",
                "OFFPEAK_RESULT_QUOTAS", "openai/gpt-4o=many",
                "OFFPEAK_OPENAI_BASE_URL", "not a url")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value mysql://x for OFFPEAK_DB_URL: must start with jdbc:postgresql:")
                .hasMessageContaining("Invalid value (unset) for OFFPEAK_KAFKA_BOOTSTRAP: required")
                .hasMessageContaining("Invalid value 0s for OFFPEAK_RESULT_TICK: must be >= 10ms")
                .hasMessageContaining("Invalid value soon for OFFPEAK_RESULT_LEASE: must be a duration")
                .hasMessageContaining("Invalid value openai/gpt-4o=many for OFFPEAK_RESULT_QUOTAS")
                .hasMessageContaining("Invalid value not a url for OFFPEAK_OPENAI_BASE_URL");
    }

    @Test
    void syncRateLimitsAreReadAndABadOneNamesTheKeyAndTheEntry() {
        Map<String, String> env = new java.util.HashMap<>(MINIMAL);
        assertThat(ResultConfig.fromEnv(env).syncRateLimits()).isEmpty();
        env.put(ResultConfig.SYNC_RATE_LIMITS, "openai/gpt-4.1-mini=rpm:500;tpm:200000, anthropic/*=rpm:50");
        assertThat(ResultConfig.fromEnv(env).syncRateLimits()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "openai/gpt-4.1-mini", new dev.offpeak.result.submit.SyncThrottle.Limit(500, 200_000),
                "anthropic/*", new dev.offpeak.result.submit.SyncThrottle.Limit(50, 0)));
        env.put(ResultConfig.SYNC_RATE_LIMITS, "openai/gpt-4.1-mini=500/min");
        assertThatThrownBy(() -> ResultConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value openai/gpt-4.1-mini=500/min for OFFPEAK_RESULT_SYNC_RATE_LIMITS")
                .hasMessageContaining("'500/min' is not rpm:N or tpm:N with N >= 1");
    }

    @Test
    void secretsNeverAppearInTheLoggedConfiguration() {
        Map<String, String> env = new java.util.HashMap<>(MINIMAL);
        env.put("OFFPEAK_DB_PASSWORD", "hunter2-db-secret");
        env.put("OFFPEAK_ANTHROPIC_API_KEY", "sk-ant-very-secret-key");
        env.put("OFFPEAK_RESULT_QUOTAS", "openai/gpt-4o-mini=2000000");
        ResultConfig c = ResultConfig.fromEnv(env);
        assertThat(c.providers()).containsOnlyKeys(Provider.ANTHROPIC);
        assertThat(c.quotas()).containsEntry("openai/gpt-4o-mini", 2_000_000L);
        assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("sk-ant-very-secret-key").contains("****");
    }

    @Test
    void theAdminTokenIsOptionalMaskedAndNeverEchoedWhenTooShort() {
        assertThat(ResultConfig.fromEnv(MINIMAL).adminToken()).as("unset: the admin API is disabled").isNull();
        assertThat(ResultConfig.fromEnv(MINIMAL).describe()).contains("OFFPEAK_RESULT_ADMIN_TOKEN=(unset)");
        Map<String, String> env = new java.util.HashMap<>(MINIMAL);
        env.put(ResultConfig.ADMIN_TOKEN, "admin-secret-0123456789");
        ResultConfig c = ResultConfig.fromEnv(env);
        assertThat(c.adminToken()).isEqualTo("admin-secret-0123456789");
        assertThat(c.toString()).doesNotContain("admin-secret").contains("OFFPEAK_RESULT_ADMIN_TOKEN=****");
        env.put(ResultConfig.ADMIN_TOKEN, "short-secret");
        assertThatThrownBy(() -> ResultConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value **** for OFFPEAK_RESULT_ADMIN_TOKEN: must be at least 16 characters")
                .message().doesNotContain("short-secret");
    }

    @Test
    void aBlankValueIsUnsetAndTheDescriptionNamesEveryKey() {
        Map<String, String> env = new java.util.HashMap<>(MINIMAL);
        env.put(ResultConfig.TICK, " ");
        env.put(ResultConfig.OPENAI_API_KEY, "");
        ResultConfig c = ResultConfig.fromEnv(env);
        assertThat(c.tick()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.providers()).isEmpty();
        assertThat(c.describe()).contains("OFFPEAK_RESULT_TICK=1s", "OFFPEAK_OPENAI_API_KEY=(unset)");
    }
}
