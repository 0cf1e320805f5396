package dev.offpeak.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.config.ConfigException;
import dev.offpeak.config.Durations;
import dev.offpeak.ingest.kafka.TaskPublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestConfigTest {
    @TempDir
    Path dir;

    private Map<String, String> env(String... keyValues) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put(IngestConfig.TOKEN_FILE, Files.writeString(dir.resolve("t.json"), "{\"tenants\": []}").toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    @Test
    void defaultsApplyWhenNothingIsSet() throws IOException {
        IngestConfig config = IngestConfig.fromEnv(env());
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.tasksTopic()).isEqualTo("offpeak.tasks");
        assertThat(config.jobsTopic()).isEqualTo("offpeak.jobs");
        assertThat(config.maxTaskBytes()).isEqualTo(1024 * 1024);
        assertThat(config.sendTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.laneShards()).isEmpty();
        assertThat(config.shardsFor("gpt-4o-mini")).isEqualTo(1);
    }

    @Test
    void laneShardsAreReadInTheBatchersGrammar() throws IOException {
        IngestConfig config = IngestConfig.fromEnv(env(IngestConfig.LANE_SHARDS, " gpt-4o-mini=8, claude-haiku-4-5 = 3 "));
        assertThat(config.laneShards()).containsOnly(Map.entry("gpt-4o-mini", 8), Map.entry("claude-haiku-4-5", 3));
        assertThat(config.shardsFor("gpt-4o-mini")).isEqualTo(8);
        assertThat(config.shardsFor("gpt-4o")).isEqualTo(1);
        assertThat(config.describe()).contains("OFFPEAK_INGEST_LANE_SHARDS={claude-haiku-4-5=3, gpt-4o-mini=8}");
    }

    @Test
    void badLaneShardsAreRefusedWithTheStandardWordingNamingEachEntry() throws IOException {
        Map<String, String> env = env(IngestConfig.LANE_SHARDS, "gpt-4o-mini=0,gpt-4o=two,=3,claude-haiku-4-5=1025");
        String rule = "must be name=number with a number between 1 and 1024";
        assertThatThrownBy(() -> IngestConfig.fromEnv(env)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).containsExactly(
                        "Invalid value gpt-4o-mini=0,gpt-4o=two,=3,claude-haiku-4-5=1025 for OFFPEAK_INGEST_LANE_SHARDS: "
                                + "entry 'gpt-4o-mini=0' " + rule,
                        "Invalid value gpt-4o-mini=0,gpt-4o=two,=3,claude-haiku-4-5=1025 for OFFPEAK_INGEST_LANE_SHARDS: "
                                + "entry 'gpt-4o=two' " + rule,
                        "Invalid value gpt-4o-mini=0,gpt-4o=two,=3,claude-haiku-4-5=1025 for OFFPEAK_INGEST_LANE_SHARDS: "
                                + "entry '=3' " + rule,
                        "Invalid value gpt-4o-mini=0,gpt-4o=two,=3,claude-haiku-4-5=1025 for OFFPEAK_INGEST_LANE_SHARDS: "
                                + "entry 'claude-haiku-4-5=1025' " + rule));
        IngestConfig embedded = IngestConfig.defaults().withLaneShards(Map.of("gpt-4o-mini", 0));
        assertThatThrownBy(embedded::validate).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).containsExactly("Invalid value gpt-4o-mini=0 for laneShards: entry 'gpt-4o-mini=0' " + rule));
    }

    @Test
    void aPartitionerThatIgnoresThePackingKeyIsRefused() throws IOException {
        Map<String, String> env = env("OFFPEAK_KAFKA_PARTITIONER_CLASS", "x.RoundRobin",
                "OFFPEAK_INGEST_KAFKA_PARTITIONER_IGNORE_KEYS", "true");
        assertThatThrownBy(() -> IngestConfig.fromEnv(env)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).containsExactlyInAnyOrder(
                        "Invalid value x.RoundRobin for OFFPEAK_KAFKA_PARTITIONER_CLASS: ingest-service sets "
                                + "partitioner.class itself: the default partitioner puts a task, keyed by its packing key,"
                                + " on the partition the batcher packs it in (see OFFPEAK_INGEST_LANE_SHARDS)",
                        "Invalid value true for OFFPEAK_INGEST_KAFKA_PARTITIONER_IGNORE_KEYS: ingest-service sets "
                                + "partitioner.ignore.keys itself: the default partitioner puts a task, keyed by its packing"
                                + " key, on the partition the batcher packs it in (see OFFPEAK_INGEST_LANE_SHARDS)"));
        assertThat(TaskPublisher.producerProperties(IngestConfig.defaults()))
                .doesNotContainKeys("partitioner.class", "partitioner.ignore.keys");
    }

    @Test
    void valuesAreReadWithUnits() throws IOException {
        IngestConfig config = IngestConfig.fromEnv(env(IngestConfig.PORT, "9000", IngestConfig.BOOTSTRAP, "k1:9092,k2:9092",
                IngestConfig.SEND_TIMEOUT, "2m", IngestConfig.MAX_BLOCK, "250ms", IngestConfig.MAX_TASK_BYTES, "2048"));
        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(config.sendTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.maxBlock()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.maxTaskBytes()).isEqualTo(2048);
    }

    @Test
    void everyBadKeyIsReportedAtOnceNamingKeyAndValue() throws IOException {
        Map<String, String> env = env(IngestConfig.MAX_TASK_BYTES, "0", IngestConfig.PORT, "http",
                IngestConfig.SEND_TIMEOUT, "soon", IngestConfig.MAX_IN_FLIGHT, "1000000",
                "OFFPEAK_INGEST_MAX_TASKBYTES", "5", IngestConfig.TOKEN_FILE, dir.resolve("missing.json").toString());

        assertThatThrownBy(() -> IngestConfig.fromEnv(env)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).containsExactlyInAnyOrder(
                        "Invalid value 0 for OFFPEAK_INGEST_MAX_TASK_BYTES: must be >= 1024",
                        "Invalid value http for OFFPEAK_INGEST_PORT: must be a whole number",
                        "Invalid value soon for OFFPEAK_INGEST_SEND_TIMEOUT: must be " + Durations.GRAMMAR,
                        "Invalid value 1000000 for OFFPEAK_INGEST_MAX_IN_FLIGHT: must be <= 100000",
                        "Invalid value 5 for OFFPEAK_INGEST_MAX_TASKBYTES: not a known key (a typo?): known keys are " + knownKeys(),
                        "Invalid value " + dir.resolve("missing.json")
                                + " for OFFPEAK_INGEST_TOKEN_FILE: must be a readable file (the bearer-token file, see README)"));
    }

    private static String knownKeys() {
        return "[OFFPEAK_INGEST_BUFFER_BYTES, OFFPEAK_INGEST_HOST, OFFPEAK_INGEST_JOBS_TOPIC, OFFPEAK_INGEST_LANE_SHARDS, "
                + "OFFPEAK_INGEST_LINGER, "
                + "OFFPEAK_INGEST_MAX_BLOCK, OFFPEAK_INGEST_MAX_IN_FLIGHT, OFFPEAK_INGEST_MAX_TASK_BYTES, "
                + "OFFPEAK_INGEST_PORT, OFFPEAK_INGEST_RETRY_AFTER, OFFPEAK_INGEST_SEND_TIMEOUT, "
                + "OFFPEAK_INGEST_TASKS_TOPIC, OFFPEAK_INGEST_TOKEN_FILE], OFFPEAK_KAFKA_BOOTSTRAP, OFFPEAK_MODEL_REGISTRY_FILE, "
                + "OFFPEAK_KAFKA_<client property> and OFFPEAK_INGEST_KAFKA_<producer property>";
    }

    @Test
    void crossKeyRulesAreCheckedNotClamped() throws IOException {
        Map<String, String> env = env(IngestConfig.MAX_TASK_BYTES, "4194304", IngestConfig.BUFFER_BYTES, "4194304");
        assertThatThrownBy(() -> IngestConfig.fromEnv(env)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).containsExactly(
                        "Invalid value 4194304 for OFFPEAK_INGEST_BUFFER_BYTES: must be >= 2 x OFFPEAK_INGEST_MAX_TASK_BYTES (8388608)"));
    }

    @Test
    void producerSettingsPassThroughButTheServicesOwnOnesAreRefused() throws IOException {
        IngestConfig config = IngestConfig.fromEnv(env("OFFPEAK_INGEST_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "OFFPEAK_INGEST_KAFKA_SASL_JAAS_CONFIG", "org.apache...PlainLoginModule password=\"hunter2\";"));
        assertThat(config.kafkaSettings().properties()).containsEntry("security.protocol", "SASL_SSL")
                .containsKey("sasl.jaas.config");
        assertThat(config.describe()).contains("OFFPEAK_INGEST_KAFKA_SECURITY_PROTOCOL=SASL_SSL",
                "OFFPEAK_INGEST_KAFKA_SASL_JAAS_CONFIG=****").doesNotContain("hunter2");
        assertThat(config.toString()).doesNotContain("hunter2");

        Map<String, String> acks = env("OFFPEAK_INGEST_KAFKA_ACKS", "1");
        assertThatThrownBy(() -> IngestConfig.fromEnv(acks)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).singleElement().asString()
                        .startsWith("Invalid value 1 for OFFPEAK_INGEST_KAFKA_ACKS: ingest-service sets acks itself"));
    }

    @Test
    void theSharedPassThroughReachesTheProducerAndTheHealthProbeAndTheIngestOneWins() throws IOException {
        IngestConfig config = IngestConfig.fromEnv(env("OFFPEAK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "OFFPEAK_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "OFFPEAK_INGEST_KAFKA_SASL_MECHANISM", "PLAIN",
                "OFFPEAK_KAFKA_SASL_JAAS_CONFIG", "x required password=\"hunter2\";", "OFFPEAK_KAFKA_CLIENT_ID", "edge-1",
                "OFFPEAK_KAFKA_BATCH_SIZE", "65536"));

        Map<String, Object> producer = TaskPublisher.producerProperties(config);
        assertThat(producer).containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", "x required password=\"hunter2\";")
                .containsEntry("client.id", "edge-1").containsEntry("batch.size", "65536")
                .containsEntry("acks", "all").containsEntry("enable.idempotence", true);
        assertThat(config.describe()).contains("OFFPEAK_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT",
                "OFFPEAK_INGEST_KAFKA_SASL_MECHANISM=PLAIN", "OFFPEAK_KAFKA_SASL_MECHANISM=(overridden by a more specific key)",
                "OFFPEAK_KAFKA_SASL_JAAS_CONFIG=****").doesNotContain("hunter2");
    }

    @Test
    void everyOwnedProducerSettingIsRefusedAtOnceNamingTheKeyToUseOrWhy() throws IOException {
        Map<String, String> env = env("OFFPEAK_KAFKA_ACKS", "1", "OFFPEAK_KAFKA_ENABLE_IDEMPOTENCE", "false",
                "OFFPEAK_KAFKA_LINGER_MS", "100", "OFFPEAK_INGEST_KAFKA_DELIVERY_TIMEOUT_MS", "5000",
                "OFFPEAK_KAFKA_BOOTSTRAP_SERVERS", "k:9092", "OFFPEAK_KAFKA_SSL_KEY_PASSWORD", "hunter2",
                "OFFPEAK_KAFKA_KEY_SERIALIZER", "x.Y");

        assertThatThrownBy(() -> IngestConfig.fromEnv(env)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).containsExactlyInAnyOrder(
                    "Invalid value 1 for OFFPEAK_KAFKA_ACKS: ingest-service sets acks itself: acks=all with idempotence "
                            + "is what makes a 202 mean the task is on every in-sync replica, written once",
                    "Invalid value false for OFFPEAK_KAFKA_ENABLE_IDEMPOTENCE: ingest-service sets enable.idempotence "
                            + "itself: acks=all with idempotence is what makes a 202 mean the task is on every in-sync "
                            + "replica, written once",
                    "Invalid value 100 for OFFPEAK_KAFKA_LINGER_MS: ingest-service sets linger.ms itself: set "
                            + "OFFPEAK_INGEST_LINGER instead",
                    "Invalid value 5000 for OFFPEAK_INGEST_KAFKA_DELIVERY_TIMEOUT_MS: ingest-service sets "
                            + "delivery.timeout.ms itself: set OFFPEAK_INGEST_SEND_TIMEOUT instead",
                    "Invalid value k:9092 for OFFPEAK_KAFKA_BOOTSTRAP_SERVERS: ingest-service sets bootstrap.servers "
                            + "itself: set OFFPEAK_KAFKA_BOOTSTRAP instead",
                    "Invalid value **** for OFFPEAK_KAFKA_KEY_SERIALIZER: ingest-service sets key.serializer itself: "
                            + "the records are the JSON the schemas module defines");
            assertThat(e.getMessage()).doesNotContain("hunter2");
        });
    }

    @Test
    void aBlankValueIsUnsetAndABareNumberIsNotADuration() throws IOException {
        IngestConfig config = IngestConfig.fromEnv(env(IngestConfig.HOST, " ", IngestConfig.LINGER, ""));
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.linger()).isEqualTo(Duration.ofMillis(20));

        Map<String, String> bare = env(IngestConfig.LINGER, "20");
        assertThatThrownBy(() -> IngestConfig.fromEnv(bare)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).containsExactly(
                        "Invalid value 20 for OFFPEAK_INGEST_LINGER: must be " + Durations.GRAMMAR));
    }
}
