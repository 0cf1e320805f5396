package dev.offpeak.testsupport;

import static dev.offpeak.testsupport.PostgresExtensionIT.single;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the external-mode code for real: embedded servers stand in for "someone else's" broker and database,
 * and the kit is handed only their addresses through the same variables a developer would export.
 */
class ExternalModeIT {
    private static KafkaBroker someoneElsesBroker;
    private static PostgresServer someoneElsesPostgres;
    private static Map<String, String> env;

    @BeforeAll
    static void startServersAsIfSomeoneElseRanThem() throws Exception {
        someoneElsesBroker = KafkaBrokers.start(InfraMode.EMBEDDED, Map.of(), Map.of());
        someoneElsesPostgres = PostgresServers.start(InfraMode.EMBEDDED, Map.of());
        env = Map.of(
                TestInfra.INFRA, "external",
                TestInfra.KAFKA_BOOTSTRAP, someoneElsesBroker.bootstrapServers(),
                TestInfra.JDBC_URL, someoneElsesPostgres.adminJdbcUrl(),
                TestInfra.JDBC_USER, someoneElsesPostgres.user(),
                TestInfra.JDBC_PASSWORD, someoneElsesPostgres.password());
    }

    @AfterAll
    static void stopServers() {
        if (someoneElsesPostgres != null) {
            someoneElsesPostgres.close();
        }
        if (someoneElsesBroker != null) {
            someoneElsesBroker.close();
        }
    }

    @Test
    void externalKafkaIsReachedThroughItsBootstrapServers() throws Exception {
        InfraMode mode = TestInfra.mode(env, () -> true);
        assertThat(mode).isEqualTo(InfraMode.EXTERNAL);

        try (KafkaCluster kafka = new KafkaCluster(KafkaBrokers.start(mode, env, Map.of()))) {
            assertThat(kafka.bootstrapServers()).isEqualTo(someoneElsesBroker.bootstrapServers());
            String topic = kafka.createUniqueTopic("external", 1);
            kafka.produce(topic, List.of(Map.entry("k", "v")));
            assertThat(kafka.readCommitted(topic, 1, Duration.ofSeconds(60)))
                    .extracting(ConsumerRecord::value).containsExactly("v");
        }
        // Closing the kit's view must leave someone else's broker running.
        try (KafkaCluster again = new KafkaCluster(KafkaBrokers.start(mode, env, Map.of()))) {
            assertThat(again.createUniqueTopic("still-up", 1)).isNotBlank();
        }
    }

    @Test
    void externalPostgresGetsAMigratedDatabaseThatIsDroppedAfterwards() throws Exception {
        String name;
        try (PostgresDatabases databases = new PostgresDatabases(PostgresServers.start(TestInfra.mode(env, () -> true), env))) {
            PostgresDatabase database = databases.forMigrations(List.of("classpath:db/migration"));
            name = database.name();
            assertThat(databases.forMigrations(List.of("classpath:db/migration", "classpath:db/migration"))).isSameAs(database);
            try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO widget (name) VALUES ('sprocket')");
                assertThat(single(statement, "SELECT count(*) FROM widget")).isEqualTo(1);
                database.truncateAllTables();
                assertThat(single(statement, "SELECT count(*) FROM widget")).isZero();
            }
        }
        assertThat(databaseExists(name)).as("database %s dropped on close", name).isFalse();
    }

    private static boolean databaseExists(String name) throws SQLException {
        try (Connection admin = DriverManager.getConnection(someoneElsesPostgres.adminJdbcUrl(),
                someoneElsesPostgres.user(), someoneElsesPostgres.password());
             Statement statement = admin.createStatement()) {
            return single(statement, "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") > 0;
        }
    }
}
