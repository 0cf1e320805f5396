package dev.offpeak.testsupport;

/**
 * A running PostgreSQL server: a JDBC URL to a database the user may connect to and run
 * {@code CREATE DATABASE} from, and how to stop it (a no-op for an external server).
 */
record PostgresServer(String adminJdbcUrl, String user, String password, String description, AutoCloseable shutdown)
        implements AutoCloseable {
    @Override
    public void close() {
        Shutdowns.close(shutdown, toString());
    }

    @Override
    public String toString() {
        // The password stays out of logs and assertion messages.
        return "PostgresServer[" + description + " at " + adminJdbcUrl + " as " + user + "]";
    }
}
