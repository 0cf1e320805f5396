package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.config.ConfigException;
import dev.offpeak.result.config.ResultConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code OFFPEAK_KAFKA_<NAME>}: what reaches result-service's consumer and producer, and what it refuses. */
class KafkaPassThroughTest {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"result\" password=\"hunter2\";";

    private static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>(Map.of(ResultConfig.DB_URL, "jdbc:postgresql://localhost:5432/offpeak",
                ResultConfig.KAFKA_BOOTSTRAP, "localhost:9092"));
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    @Test
    void securitySettingsReachTheConsumerAndTheProducerAndTuningGivesWay() {
        ResultConfig config = ResultConfig.fromEnv(env("OFFPEAK_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "OFFPEAK_KAFKA_SASL_MECHANISM", "PLAIN", "OFFPEAK_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "OFFPEAK_KAFKA_MAX_POLL_RECORDS", "500", "OFFPEAK_KAFKA_LINGER_MS", "20"));

        for (var client : java.util.List.of(ResultService.consumerProperties(config), ResultService.producerProperties(config))) {
            assertThat(client).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                    .containsEntry("sasl.jaas.config", JAAS).containsEntry("bootstrap.servers", "localhost:9092");
        }
        assertThat(ResultService.consumerProperties(config)).containsEntry("max.poll.records", "500")
                .containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", "false");
        assertThat(ResultService.producerProperties(config)).containsEntry("linger.ms", "20").containsEntry("acks", "all");
        assertThat(config.describe()).contains("OFFPEAK_KAFKA_SECURITY_PROTOCOL=SASL_SSL",
                "OFFPEAK_KAFKA_SASL_JAAS_CONFIG=****").doesNotContain("hunter2");
        assertThat(config.toString()).doesNotContain("hunter2");
    }

    @Test
    void whatTheServiceReliesOnIsRefusedAllAtOnceSaying() {
        assertThatThrownBy(() -> ResultConfig.fromEnv(env("OFFPEAK_KAFKA_ISOLATION_LEVEL", "read_uncommitted",
                "OFFPEAK_KAFKA_ENABLE_AUTO_COMMIT", "true", "OFFPEAK_KAFKA_GROUP_ID", "other",
                "OFFPEAK_KAFKA_ACKS", "1", "OFFPEAK_KAFKA_SASL_JAAS_CONFIG", JAAS)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "Invalid value read_uncommitted for OFFPEAK_KAFKA_ISOLATION_LEVEL: result-service sets "
                                + "isolation.level itself: read_committed: the batcher writes in transactions, and an "
                                + "aborted batch item must never be ingested",
                        "Invalid value true for OFFPEAK_KAFKA_ENABLE_AUTO_COMMIT: result-service sets enable.auto.commit "
                                + "itself: offsets are committed only after the database transaction that stored their "
                                + "records commits",
                        "Invalid value other for OFFPEAK_KAFKA_GROUP_ID: result-service sets group.id itself: set "
                                + "OFFPEAK_RESULT_GROUP_ID instead",
                        "Invalid value 1 for OFFPEAK_KAFKA_ACKS: result-service sets acks itself: acks=all with "
                                + "idempotence: the outbox marks an event sent only once every in-sync replica has it, "
                                + "and a retry never writes it twice"));
    }
}
