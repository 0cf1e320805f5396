package dev.offpeak.cli;

import dev.offpeak.config.EnvReader;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.cli.local.Endpoints;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import picocli.CommandLine.Option;

/**
 * Where the reporting commands read from: the local stack's database (from endpoints.json), or any
 * Offpeak database given by URL — an analyst's login (role offpeak_analyst) is enough, since they
 * read only the analytics views.
 */
public final class DatabaseOptions {
    @Option(names = "--data-dir", defaultValue = ".offpeak", description = "Where endpoints.json is (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--jdbc-url", description = "Read this database instead of the local stack's.")
    String jdbcUrl;

    @Option(names = "--user", description = "Database user with --jdbc-url (password from OFFPEAK_DB_PASSWORD).")
    String user;

    Connection connect() {
        String url = jdbcUrl;
        String login = user;
        if (url == null) {
            Endpoints local = Endpoints.read(dataDir);
            url = local.jdbcUrl();
            login = local.jdbcUser();
        }
        try {
            return DriverManager.getConnection(url, login, new EnvReader(System.getenv()).string(ResultConfig.DB_PASSWORD, ""));
        } catch (SQLException e) {
            throw new CliException("cannot connect to PostgreSQL at " + url + ": " + e.getMessage());
        }
    }
}
