package dev.offpeak.result.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the connection pool and migrates the schema: migrations only ever run through Flyway. */
public final class Database {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    public static final String MIGRATIONS = "classpath:db/migration";

    private Database() {}

    public static HikariDataSource pool(String jdbcUrl, String user, String password, int maxSize, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxSize);
        config.setPoolName(name);
        // batched multi-row inserts on the settlement path
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        // the pool starts even when the database does not answer yet; the service waits for it
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /**
     * Waits until the database answers, retrying with a backoff from 0.5 s doubling to 8 s, logging each
     * failed attempt: a service started while PostgreSQL restarts waits for it instead of exiting.
     *
     * @throws IllegalStateException if it does not answer within {@code patience}
     */
    public static void awaitReachable(String jdbcUrl, String user, String password, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        long backoffMillis = 500;
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null && !password.isEmpty()) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "10");
        for (int attempt = 1; ; attempt++) {
            // a connection of its own, not the pool's: the pool waits its whole timeout before it says why
            try (Connection c = DriverManager.getConnection(jdbcUrl, props)) {
                if (c.isValid(2)) {
                    if (attempt > 1) {
                        log.info("the database answers (attempt {})", attempt);
                    }
                    return;
                }
            } catch (SQLException e) {
                if (refusedForGood(e)) {
                    throw new IllegalStateException("the database refused the connection: " + e.getMessage(), e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the database did not answer within " + patience + ": "
                            + e.getMessage(), e);
                }
                log.warn("the database does not answer yet ({}); trying again in {} ms", e.getMessage(), backoffMillis);
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the database", e);
            }
            backoffMillis = Math.min(backoffMillis * 2, 8_000);
        }
    }

    /** A wrong password, user or database name: waiting would not help. */
    private static boolean refusedForGood(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("28") || sql.getSQLState().equals("3D000"))) {
                return true;
            }
        }
        return false;
    }

    public static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations(MIGRATIONS).load().migrate();
    }
}
