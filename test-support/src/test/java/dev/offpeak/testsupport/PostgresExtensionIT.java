package dev.offpeak.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The two ordered tests prove the extension empties tables between tests. */
@RealPostgres(migrations = "classpath:db/migration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresExtensionIT {

    @Test
    @Order(1)
    void migratedTablesAcceptRows(DataSource dataSource) throws SQLException {
        long id;
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            id = single(statement, "INSERT INTO widget (name) VALUES ('sprocket') RETURNING id");
            statement.execute("INSERT INTO widget_part (widget_id, part) VALUES (" + id + ", 'cog')");
            assertThat(single(statement, "SELECT count(*) FROM widget_part WHERE widget_id = " + id)).isEqualTo(1);
        }
        assertThat(id).isEqualTo(1); // identities restart with the truncation too
    }

    @Test
    @Order(2)
    void eachTestStartsWithEmptyTablesButKeepsTheMigrationHistory(PostgresDatabase database) throws SQLException {
        try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT count(*) FROM widget")).isZero();
            assertThat(single(statement, "SELECT count(*) FROM widget_part")).isZero();
            assertThat(single(statement, "SELECT count(*) FROM flyway_schema_history WHERE success")).isEqualTo(1);
            assertThat(single(statement, "INSERT INTO widget (name) VALUES ('sprocket') RETURNING id")).isEqualTo(1);
        }
    }

    @Test
    @Order(3)
    void serverIsPostgres17UnlessSomeoneElseRunsIt(PostgresDatabase database) throws SQLException {
        try (Connection connection = database.dataSource().getConnection()) {
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
            if (TestInfra.mode() != InfraMode.EXTERNAL) {
                assertThat(connection.getMetaData().getDatabaseMajorVersion()).isEqualTo(17);
            }
        }
        assertThat(database.jdbcUrl()).startsWith("jdbc:postgresql://").contains("/" + database.name());
    }

    static long single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).as("a row from %s", sql).isTrue();
            return rows.getLong(1);
        }
    }
}
