package dev.offpeak.batcher.config;

import dev.offpeak.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.config.ConfigException;
import dev.offpeak.config.Durations;
import dev.offpeak.schemas.events.Provider;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatcherConfigTest {
    @Test
    void defaultsApplyWhenNothingIsSet() {
        BatcherConfig c = BatcherConfig.fromEnv(Map.of());
        assertThat(c.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(c.dedupWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(c.maxWait()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.providerLimits().get(Provider.OPENAI)).isEqualTo(ProviderLimits.OPENAI);
        assertThat(c.shardsFor("gpt-4o-mini")).isEqualTo(1);
        assertThat(c.describe()).contains("OFFPEAK_BATCHER_DEDUP_WINDOW=24h");
    }

    @Test
    void valuesAreParsedWithUnits() {
        BatcherConfig c = BatcherConfig.fromEnv(Map.of(BatcherConfig.DEDUP_WINDOW, "PT2H", BatcherConfig.MAX_WAIT, "90s",
                BatcherConfig.maxBytesKey(Provider.GEMINI), "1GiB", BatcherConfig.LANE_SHARDS, "gpt-4o-mini=4, gpt-5=2",
                BatcherConfig.TOKEN_LIMITS, "gpt-4o=90000"));
        assertThat(c.dedupWindow()).isEqualTo(Duration.ofHours(2));
        assertThat(c.maxWait()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.providerLimits().get(Provider.GEMINI).maxBytes()).isEqualTo(1L << 30);
        assertThat(c.shardsFor("gpt-5")).isEqualTo(2);
        assertThat(c.limitsFor(Provider.OPENAI, "gpt-4o").maxTokens()).isEqualTo(85_500);
    }

    @Test
    void everyBadKeyIsReportedAtOnceWithItsValueAndNothingIsClamped() {
        assertThatThrownBy(() -> BatcherConfig.fromEnv(Map.of(
                BatcherConfig.DEDUP_WINDOW, "0s",
                BatcherConfig.MAX_WAIT, "soon",
                BatcherConfig.SAFETY_MARGIN, "0.9",
                BatcherConfig.maxRequestsKey(Provider.OPENAI), "0",
                BatcherConfig.maxBytesKey(Provider.ANTHROPIC), "lots",
                BatcherConfig.LANE_SHARDS, "gpt-4o-mini=0")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "Invalid value 0s for OFFPEAK_BATCHER_DEDUP_WINDOW: must be >= 1s",
                        "Invalid value soon for OFFPEAK_BATCHER_MAX_WAIT: must be " + Durations.GRAMMAR,
                        "Invalid value 0.9 for OFFPEAK_BATCHER_SAFETY_MARGIN: must be between 0.0 and 0.5",
                        "Invalid value 0 for OFFPEAK_BATCHER_OPENAI_MAX_REQUESTS: must be >= 1",
                        "Invalid value lots for OFFPEAK_BATCHER_ANTHROPIC_MAX_BYTES: must be a size such as 200MB, 256MiB or 2000000000",
                        "Invalid value gpt-4o-mini=0 for OFFPEAK_BATCHER_LANE_SHARDS: entry 'gpt-4o-mini=0' must be name=number with a number between 1 and 1024"));
    }
}
