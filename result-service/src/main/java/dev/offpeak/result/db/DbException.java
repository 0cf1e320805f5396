package dev.offpeak.result.db;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** A database failure: the {@code SQLException} the helper saw, unchecked. */
public final class DbException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DbException(String message, SQLException cause) {
        super(message, cause);
    }

    static DbException wrap(SQLException e) {
        return new DbException(e.getMessage(), e);
    }

    /**
     * Whether the database could not be reached (no connection, or the server is starting or shutting
     * down), rather than refusing the statement: worth an answer of "try again later".
     */
    public boolean unavailable() {
        SQLException e = (SQLException) getCause();
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P03")));
    }
}
