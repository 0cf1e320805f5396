package dev.offpeak.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A migrated database of the test PostgreSQL server. {@link #dataSource()} opens a fresh connection per
 * call (no pool), which is what a test wants; code under test builds its own pool from {@link #jdbcUrl()}.
 */
public final class PostgresDatabase {
    static final String FLYWAY_HISTORY = "flyway_schema_history";
    private static final String USER_TABLES = """
            SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
            WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> ?
            ORDER BY 1""";

    private final String name;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();

    PostgresDatabase(String name, String jdbcUrl, String user, String password) {
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        dataSource.setUrl(jdbcUrl);
        dataSource.setUser(user);
        dataSource.setPassword(password);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public String name() {
        return name;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Empties every table except Flyway's history, resetting sequences; one statement, so foreign keys are no obstacle. */
    public void truncateAllTables() {
        try (Connection connection = dataSource.getConnection()) {
            List<String> tables = userTables(connection);
            if (!tables.isEmpty()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("TRUNCATE TABLE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not truncate the tables of " + this, e);
        }
    }

    private static List<String> userTables(Connection connection) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (var query = connection.prepareStatement(USER_TABLES)) {
            query.setString(1, FLYWAY_HISTORY);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
        }
        return tables;
    }

    @Override
    public String toString() {
        return "PostgresDatabase[" + jdbcUrl + " as " + user + "]";
    }
}
