package dev.offpeak.testsupport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The databases of one server: one per distinct set of migration locations, created and migrated on first
 * use, so classes that share migrations share the (cheap) migrated database and classes that don't, don't
 * collide. Closing drops them all (which matters on an external server) and then stops the server.
 */
final class PostgresDatabases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresDatabases.class);

    private final PostgresServer server;
    // In every database name, so parallel builds and reruns against one external server never share a database.
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Map<List<String>, PostgresDatabase> byLocations = new ConcurrentHashMap<>();

    PostgresDatabases(PostgresServer server) {
        this.server = server;
    }

    /** The database migrated with exactly these Flyway locations (order and duplicates do not matter). */
    PostgresDatabase forMigrations(List<String> locations) {
        List<String> key = locations.stream().map(String::trim).distinct().sorted().toList();
        return byLocations.computeIfAbsent(key, this::create);
    }

    private PostgresDatabase create(List<String> locations) {
        long started = System.nanoTime();
        String name = "offpeak_test_" + digest(locations) + "_" + runId;
        execute("CREATE DATABASE " + name);
        PostgresDatabase database = new PostgresDatabase(name, JdbcUrls.withDatabase(server.adminJdbcUrl(), name),
                server.user(), server.password());
        if (!locations.isEmpty()) {
            Flyway.configure()
                    .dataSource(database.dataSource())
                    .locations(locations.toArray(String[]::new))
                    .failOnMissingLocations(true) // a typo in a location must not pass as "no migrations"
                    .load()
                    .migrate();
        }
        log.info("Database {} migrated from {} in {} ms", name, locations, (System.nanoTime() - started) / 1_000_000);
        return database;
    }

    private void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(server.adminJdbcUrl(), server.user(), server.password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not run " + sql + " on " + server, e);
        }
    }

    private static String digest(List<String> locations) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", locations).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public void close() {
        try (server) {
            // FORCE: code under test may not have closed its pool.
            byLocations.values().forEach(database -> execute("DROP DATABASE IF EXISTS " + database.name() + " WITH (FORCE)"));
        }
    }
}
