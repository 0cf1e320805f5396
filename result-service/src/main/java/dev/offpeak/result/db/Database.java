package dev.offpeak.result.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

/** Opens the connection pool and migrates the schema: migrations only ever run through Flyway. */
public final class Database {
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
        return new HikariDataSource(config);
    }

    public static void migrate(javax.sql.DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations(MIGRATIONS).load().migrate();
    }
}
