package dev.offpeak.testsupport;

/** Rewrites the database of a {@code jdbc:postgresql://host[:port][,...]/database[?params]} URL. */
final class JdbcUrls {
    private static final String PREFIX = "jdbc:postgresql://";

    private JdbcUrls() {}

    static String withDatabase(String jdbcUrl, String database) {
        if (!jdbcUrl.startsWith(PREFIX)) {
            throw new IllegalArgumentException("Invalid value " + jdbcUrl + " for a JDBC URL: must start with " + PREFIX);
        }
        int query = jdbcUrl.indexOf('?');
        String params = query < 0 ? "" : jdbcUrl.substring(query);
        String beforeQuery = query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
        int slash = beforeQuery.indexOf('/', PREFIX.length());
        String hosts = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
        return hosts + "/" + database + params;
    }
}
