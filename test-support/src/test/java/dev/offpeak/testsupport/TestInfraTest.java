package dev.offpeak.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TestInfraTest {

    @Test
    void explicitModeWinsAndIsCaseInsensitive() {
        assertThat(TestInfra.mode(Map.of(TestInfra.INFRA, "External"), () -> true)).isEqualTo(InfraMode.EXTERNAL);
        assertThat(TestInfra.mode(Map.of(TestInfra.INFRA, "embedded"), () -> true)).isEqualTo(InfraMode.EMBEDDED);
        assertThat(TestInfra.mode(Map.of(TestInfra.INFRA, " testcontainers "), () -> false)).isEqualTo(InfraMode.TESTCONTAINERS);
    }

    @Test
    void defaultIsTestcontainersOnlyWhenADockerEngineAnswers() {
        assertThat(TestInfra.mode(Map.of(), () -> true)).isEqualTo(InfraMode.TESTCONTAINERS);
        assertThat(TestInfra.mode(Map.of(), () -> false)).isEqualTo(InfraMode.EMBEDDED);
        assertThat(TestInfra.mode(Map.of(TestInfra.INFRA, " "), () -> false)).isEqualTo(InfraMode.EMBEDDED);
    }

    @Test
    void unknownModeNamesTheVariableAndTheChoices() {
        assertThatThrownBy(() -> TestInfra.mode(Map.of(TestInfra.INFRA, "docker"), () -> false))
                .hasMessage("Invalid value docker for OFFPEAK_TEST_INFRA: must be one of embedded, testcontainers, external");
    }

    @Test
    void externalModeWithoutAddressesSaysWhichVariableIsMissing() {
        Map<String, String> env = Map.of(TestInfra.INFRA, "external");
        assertThatThrownBy(() -> KafkaBrokers.start(InfraMode.EXTERNAL, env, Map.of()))
                .hasMessageStartingWith("Missing OFFPEAK_TEST_KAFKA_BOOTSTRAP: OFFPEAK_TEST_INFRA=external needs it");
        assertThatThrownBy(() -> PostgresServers.start(InfraMode.EXTERNAL, env))
                .hasMessageStartingWith("Missing OFFPEAK_TEST_JDBC_URL: OFFPEAK_TEST_INFRA=external needs it");
    }

    @Test
    void brokerConfigEntriesMustBeKeyValue() {
        @RealKafka(brokerConfig = {"auto.create.topics.enable = false", "log.retention.ms=1000"})
        class Configured {}
        @RealKafka(brokerConfig = "oops")
        class Broken {}

        assertThat(KafkaExtension.brokerConfig(Configured.class))
                .containsExactly(Map.entry("auto.create.topics.enable", "false"), Map.entry("log.retention.ms", "1000"));
        assertThatThrownBy(() -> KafkaExtension.brokerConfig(Broken.class))
                .hasMessage("Invalid value oops for @RealKafka.brokerConfig: must be key=value");
    }

    @Test
    void singleNodeDefaultsCanBeOverridden() {
        assertThat(KafkaBrokers.singleNodeConfig(Map.of("group.initial.rebalance.delay.ms", "500")))
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "500");
    }
}
