package dev.offpeak.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** TopicSetup takes the services' Kafka client pass-through, so the Job reaches a TLS or SASL Kafka too. */
class TopicSetupTest {
    private static TopicSetup parsed(Map<String, String> env, String... args) {
        TopicSetup setup = new TopicSetup();
        setup.env = env;
        new CommandLine(setup).parseArgs(args);
        return setup;
    }

    @Test
    void theServicesKafkaSettingsReachTheAdminClientAndAnAdminPropertyWins() {
        TopicSetup setup = parsed(Map.of("OFFPEAK_KAFKA_BOOTSTRAP", "k:9092",
                "OFFPEAK_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "OFFPEAK_KAFKA_SASL_MECHANISM", "PLAIN",
                "OFFPEAK_KAFKA_SASL_JAAS_CONFIG", "x required password=\"hunter2\";"),
                "--admin-property", "sasl.mechanism=SCRAM-SHA-512");

        assertThat(setup.adminProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "x required password=\"hunter2\";")
                .doesNotContainKey("bootstrap");
    }

    @Test
    void whatAnOptionSetsIsRefusedWithTheValueMaskedWhereSecret() {
        TopicSetup setup = parsed(Map.of("OFFPEAK_KAFKA_DEFAULT_API_TIMEOUT_MS", "1000",
                "OFFPEAK_KAFKA_BOOTSTRAP_SERVERS", "k:9092"));

        assertThatThrownBy(setup::adminProperties).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("Invalid value 1000 for OFFPEAK_KAFKA_DEFAULT_API_TIMEOUT_MS: topic-setup sets "
                        + "default.api.timeout.ms itself: give --timeout instead")
                .hasMessageContaining("Invalid value k:9092 for OFFPEAK_KAFKA_BOOTSTRAP_SERVERS: topic-setup sets "
                        + "bootstrap.servers itself: set OFFPEAK_KAFKA_BOOTSTRAP instead");
    }
}
