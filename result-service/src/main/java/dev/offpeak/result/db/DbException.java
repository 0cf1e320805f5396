package dev.offpeak.result.db;

import java.sql.SQLException;

/**
 * A database failure. Unique-key conflicts are their own subtype so idempotent writes can branch on
 * them instead of parsing messages.
 */
public class DbException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final String UNIQUE_VIOLATION = "23505";

    DbException(String message, SQLException cause) {
        super(message, cause);
    }

    static DbException wrap(SQLException e) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
            return new UniqueViolation(e);
        }
        return new DbException(e.getMessage(), e);
    }

    public static final class UniqueViolation extends DbException {
        private static final long serialVersionUID = 1L;

        UniqueViolation(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
