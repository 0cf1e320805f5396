package dev.offpeak.result.read;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one query as text, ready to print: a number column is right-aligned by whoever
 * prints it, money keeps its exact digits (trailing zeros stripped), an instant is ISO-8601 UTC.
 * Built once, here, so the read API and a direct database read print the same cells.
 */
public record Table(List<Column> columns, List<List<String>> rows) {
    /** A column's name and whether it holds numbers. */
    public record Column(String name, boolean numeric) {}

    public Table {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
    }

    /** Runs {@code sql} with {@code params} (strings, dates) and keeps every row. */
    public static Table query(Connection c, String sql, List<?> params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                List<Column> columns = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columns.add(new Column(meta.getColumnLabel(i),
                            Number.class.isAssignableFrom(classOf(meta.getColumnClassName(i)))));
                }
                List<List<String>> rows = new ArrayList<>();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(columns.size());
                    for (int i = 1; i <= columns.size(); i++) {
                        row.add(cell(rs, i, meta.getColumnTypeName(i)));
                    }
                    rows.add(row);
                }
                return new Table(columns, rows);
            }
        }
    }

    private static String cell(ResultSet rs, int i, String type) throws SQLException {
        if ("timestamptz".equals(type)) {
            OffsetDateTime at = rs.getObject(i, OffsetDateTime.class);
            return at == null ? "" : at.toInstant().toString();
        }
        Object v = rs.getObject(i);
        return v == null ? "" : v instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : v.toString();
    }

    private static Class<?> classOf(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            return Object.class;
        }
    }
}
