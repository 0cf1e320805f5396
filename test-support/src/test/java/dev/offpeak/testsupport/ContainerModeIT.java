package dev.offpeak.testsupport;

import static dev.offpeak.testsupport.PostgresExtensionIT.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Testcontainers path (named so surefire's default {@code Test*} include does not pick it up too), run whenever a Docker
 * engine answers and reported as skipped ("no Docker engine") otherwise.
 */
class ContainerModeIT {

    // Per test, not per class: JUnit reports each test as skipped with the reason, where a class-level
    // assumption shows up as "Tests run: 0" and is easy to miss.
    @BeforeEach
    void needsDocker() {
        assumeTrue(DockerProbe.anyEngineAnswers(System.getenv()), "no Docker engine");
    }

    @Test
    void kafkaContainerCarriesRecords() throws Exception {
        try (KafkaCluster kafka = new KafkaCluster(KafkaBrokers.start(InfraMode.TESTCONTAINERS, System.getenv(), Map.of()))) {
            String topic = kafka.createUniqueTopic("containers", 1);
            kafka.produce(topic, List.of(Map.entry("k", "v")));
            assertThat(kafka.readCommitted(topic, 1, Duration.ofSeconds(60))).extracting(ConsumerRecord::value).containsExactly("v");
        }
    }

    @Test
    void postgresContainerIsMigratedAndQueried() throws Exception {
        try (PostgresDatabases databases = new PostgresDatabases(PostgresServers.start(InfraMode.TESTCONTAINERS, System.getenv()))) {
            PostgresDatabase database = databases.forMigrations(List.of("classpath:db/migration"));
            try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO widget (name) VALUES ('sprocket')");
                assertThat(single(statement, "SELECT count(*) FROM widget")).isEqualTo(1);
                assertThat(connection.getMetaData().getDatabaseMajorVersion()).isEqualTo(17);
            }
        }
    }
}
