package dev.offpeak.batcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.batcher.BatcherService;
import dev.offpeak.config.ConfigException;
import dev.offpeak.config.Durations;
import dev.offpeak.schemas.events.Provider;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
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

    @Test
    void thePassThroughReachesEveryStreamsClientAndTheOperatorsTuningWins() {
        BatcherConfig c = BatcherConfig.fromEnv(Map.of("OFFPEAK_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "OFFPEAK_KAFKA_SASL_JAAS_CONFIG", "x required password=\"hunter2\";",
                "OFFPEAK_KAFKA_LINGER_MS", "50", "OFFPEAK_KAFKA_PRODUCER_COMPRESSION_TYPE", "zstd"));

        Properties streams = BatcherService.streamsProperties(c);
        assertThat(streams).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "x required password=\"hunter2\";")
                .containsEntry("producer.compression.type", "zstd")
                .containsEntry("linger.ms", "50").doesNotContainKey("producer.linger.ms")
                .containsEntry("producer.batch.size", 256 * 1024)
                .containsEntry("processing.guarantee", "exactly_once_v2");
        assertThat(c.describe()).contains("OFFPEAK_KAFKA_SECURITY_PROTOCOL=SASL_SSL", "OFFPEAK_KAFKA_SASL_JAAS_CONFIG=****")
                .doesNotContain("hunter2");
        assertThat(c.toString()).doesNotContain("hunter2");
    }

    @Test
    void whatExactlyOnceRestsOnAndWhatHasItsOwnKeyIsRefusedAtOnce() {
        assertThatThrownBy(() -> BatcherConfig.fromEnv(Map.of(
                "OFFPEAK_KAFKA_PROCESSING_GUARANTEE", "at_least_once",
                "OFFPEAK_KAFKA_MAIN_CONSUMER_ISOLATION_LEVEL", "read_uncommitted",
                "OFFPEAK_KAFKA_PRODUCER_ENABLE_IDEMPOTENCE", "false",
                "OFFPEAK_KAFKA_AUTO_OFFSET_RESET", "latest",
                "OFFPEAK_KAFKA_APPLICATION_ID", "other",
                "OFFPEAK_KAFKA_STATE_DIR", "/tmp/x")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "Invalid value at_least_once for OFFPEAK_KAFKA_PROCESSING_GUARANTEE: batcher sets "
                                + "processing.guarantee itself: exactly_once_v2 is what keeps a task from being lost or "
                                + "batched twice across restarts and rebalances",
                        "Invalid value read_uncommitted for OFFPEAK_KAFKA_MAIN_CONSUMER_ISOLATION_LEVEL: batcher sets "
                                + "main.consumer.isolation.level itself: processing.guarantee=exactly_once_v2 sets it as "
                                + "exactly-once needs it (read_committed, an idempotent transactional producer, offsets "
                                + "committed in the transaction)",
                        "Invalid value false for OFFPEAK_KAFKA_PRODUCER_ENABLE_IDEMPOTENCE: batcher sets "
                                + "producer.enable.idempotence itself: processing.guarantee=exactly_once_v2 sets it as "
                                + "exactly-once needs it (read_committed, an idempotent transactional producer, offsets "
                                + "committed in the transaction)",
                        "Invalid value latest for OFFPEAK_KAFKA_AUTO_OFFSET_RESET: batcher sets auto.offset.reset "
                                + "itself: earliest: tasks on the topic before the batcher's first start must be batched too",
                        "Invalid value other for OFFPEAK_KAFKA_APPLICATION_ID: batcher sets application.id itself: set "
                                + "OFFPEAK_BATCHER_APPLICATION_ID instead",
                        "Invalid value /tmp/x for OFFPEAK_KAFKA_STATE_DIR: batcher sets state.dir itself: set "
                                + "OFFPEAK_BATCHER_STATE_DIR instead"));
    }
}
