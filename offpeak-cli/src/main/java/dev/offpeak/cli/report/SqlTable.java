package dev.offpeak.cli.report;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Prints the rows of a query as an aligned table: numbers right-aligned, money with its exact digits. */
public final class SqlTable {
    private SqlTable() {}

    /** Runs {@code sql} with {@code params} and prints the table; returns the number of rows. */
    public static int print(Connection c, String sql, List<Object> params, PrintWriter out) throws SQLException {
        List<String> headers = new ArrayList<>();
        List<boolean[]> numeric = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                boolean[] isNumber = new boolean[meta.getColumnCount()];
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    headers.add(meta.getColumnLabel(i));
                    Class<?> type = classOf(meta.getColumnClassName(i));
                    isNumber[i - 1] = Number.class.isAssignableFrom(type);
                }
                numeric.add(isNumber);
                while (rs.next()) {
                    String[] row = new String[headers.size()];
                    for (int i = 0; i < row.length; i++) {
                        Object v = rs.getObject(i + 1);
                        row[i] = v == null ? "" : v instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString()
                                : v.toString();
                    }
                    rows.add(row);
                }
            }
        }
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (String[] row : rows) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        boolean[] isNumber = numeric.get(0);
        out.println(line(headers.toArray(String[]::new), width, isNumber));
        for (String[] row : rows) {
            out.println(line(row, width, isNumber));
        }
        if (rows.isEmpty()) {
            out.println("  (none)");
        }
        out.flush();
        return rows.size();
    }

    private static String line(String[] cells, int[] width, boolean[] right) {
        StringBuilder b = new StringBuilder(" ");
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i];
            String pad = " ".repeat(width[i] - cell.length());
            b.append(' ').append(right[i] ? pad + cell : cell + pad).append(' ');
        }
        return b.toString().stripTrailing();
    }

    private static Class<?> classOf(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            return Object.class;
        }
    }
}
