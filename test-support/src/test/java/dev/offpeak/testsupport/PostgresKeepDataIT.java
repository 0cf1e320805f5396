package dev.offpeak.testsupport;

import static dev.offpeak.testsupport.PostgresExtensionIT.single;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Without truncation rows survive from test to test; a second location set gets a database of its own. */
@RealPostgres(migrations = {"classpath:db/migration", "classpath:db/extra"}, truncateBeforeEachTest = false)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresKeepDataIT {

    @BeforeAll
    static void startClean(PostgresDatabase database) {
        database.truncateAllTables();
    }

    @Test
    @Order(1)
    void bothLocationsAreMigrated(PostgresDatabase database) throws SQLException {
        try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO gadget (name) VALUES ('whatsit')");
            statement.execute("INSERT INTO widget (name) VALUES ('sprocket')");
            assertThat(single(statement, "SELECT count(*) FROM flyway_schema_history WHERE success")).isEqualTo(2);
        }
    }

    @Test
    @Order(2)
    void rowsOfTheEarlierTestAreStillThere(PostgresDatabase database) throws SQLException {
        try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT count(*) FROM gadget")).isEqualTo(1);
            assertThat(single(statement, "SELECT count(*) FROM widget")).isEqualTo(1);
        }
    }
}
