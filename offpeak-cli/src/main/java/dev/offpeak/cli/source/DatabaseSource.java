package dev.offpeak.cli.source;

import dev.offpeak.cli.CliException;
import dev.offpeak.result.read.JobCounts;
import dev.offpeak.result.read.JobReport;
import dev.offpeak.result.read.Overviews;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A PostgreSQL database read directly: the local stack's, or a deployment's with an analyst's login
 * (the overview tables read only the {@code analytics} views). One connection, opened at the first
 * read. The password is used to connect and nowhere else; the URL is printed with any password in
 * it masked.
 */
public final class DatabaseSource implements ReadSource {
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern URL_USER_INFO = Pattern.compile("//([^/@:]*):[^/@]*@");

    private final String jdbcUrl;
    private final String user;
    private final char[] password;
    private final String tenant;
    private final String origin;
    private Connection connection;

    /**
     * @param tenant whose tasks a job report and progress cover; null: every tenant's
     * @param origin said after the URL, e.g. "local stack"; may be null
     */
    public DatabaseSource(String jdbcUrl, String user, char[] password, String tenant, String origin) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password == null ? new char[0] : password.clone();
        this.tenant = tenant;
        this.origin = origin;
    }

    @Override
    public String describe() {
        return describe(jdbcUrl, user, origin);
    }

    /** "database jdbc:postgresql://host/db (user alice)", any password in the URL masked. */
    public static String describe(String jdbcUrl, String user, String origin) {
        String url = URL_USER_INFO.matcher(URL_PASSWORD.matcher(jdbcUrl).replaceAll("$1***")).replaceAll("//$1:***@");
        String details = (user == null ? "" : "user " + user) + (origin == null ? "" : (user == null ? "" : ", ") + origin);
        return "database " + url + (details.isEmpty() ? "" : " (" + details + ")");
    }

    @Override
    public JobCounts progress(String jobId) {
        return read("the progress of job " + jobId, c -> JobCounts.load(c, jobId, tenant));
    }

    @Override
    public JobReport report(String jobId) {
        JobReport report = read("the report of job " + jobId, c -> JobReport.load(c, jobId, tenant));
        if (report.rows().isEmpty()) {
            throw new CliException("no task of job " + jobId + (tenant == null ? "" : " of tenant " + tenant)
                    + " in " + describe());
        }
        return report;
    }

    @Override
    public Overviews.Status status() {
        return read("the status", c -> Overviews.status(c, Optional.empty()));
    }

    @Override
    public Overviews.Tenanted jobs() {
        return read("the jobs", c -> Overviews.jobs(c, Optional.empty()));
    }

    @Override
    public Overviews.Tenanted costs(Overviews.CostsBy by, Optional<LocalDate> since) {
        return read("the costs", c -> Overviews.costs(c, Optional.empty(), by, since));
    }

    @Override
    public Overviews.Tenanted budgets() {
        return read("the budgets", c -> Overviews.budgets(c, Optional.empty()));
    }

    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(String what, Read<T> read) {
        try {
            return read.run(connection());
        } catch (SQLException e) {
            throw new CliException("reading " + what + " from " + describe() + " failed: " + e.getMessage());
        }
    }

    private Connection connection() {
        if (connection == null) {
            try {
                connection = DriverManager.getConnection(jdbcUrl, user, new String(password));
            } catch (SQLException e) {
                throw new CliException("cannot connect to PostgreSQL at " + describe() + ": " + e.getMessage());
            }
        }
        return connection;
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // nothing was written; a failing close loses nothing
            }
        }
    }
}
