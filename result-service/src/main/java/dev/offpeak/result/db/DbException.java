package dev.offpeak.result.db;

import java.sql.SQLException;

/** A database failure: the {@code SQLException} the helper saw, unchecked. */
public final class DbException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DbException(String message, SQLException cause) {
        super(message, cause);
    }

    static DbException wrap(SQLException e) {
        return new DbException(e.getMessage(), e);
    }
}
