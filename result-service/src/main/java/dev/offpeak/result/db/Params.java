package dev.offpeak.result.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import org.postgresql.util.PGobject;

/** Binds Java values to JDBC parameters, including the few Postgres types we use. */
final class Params {
    private Params() {}

    static void bind(Connection c, PreparedStatement ps, int index, Object value) throws SQLException {
        switch (value) {
            case null -> ps.setNull(index, Types.NULL);
            case Instant i -> ps.setTimestamp(index, Timestamp.from(i));
            case LocalDate d -> ps.setObject(index, d);
            case Db.Jsonb j -> {
                PGobject json = new PGobject();
                json.setType("jsonb");
                json.setValue(j.json());
                ps.setObject(index, json);
            }
            case Db.TextArray a -> ps.setArray(index, c.createArrayOf("text", a.values().toArray()));
            case Collection<?> col -> throw new IllegalArgumentException(
                    "bind collections as TextArray, not " + col.getClass().getSimpleName());
            case Enum<?> e -> ps.setString(index, e.name().toLowerCase(java.util.Locale.ROOT));
            default -> ps.setObject(index, value);
        }
    }
}
