package dev.offpeak.cli.report;

import dev.offpeak.result.read.Table;
import java.io.PrintWriter;
import java.util.List;

/** Prints a {@link Table} aligned: numbers right-aligned, everything else left-aligned. */
public final class TablePrinter {
    private TablePrinter() {}

    public static void print(Table table, PrintWriter out) {
        List<Table.Column> columns = table.columns();
        int[] width = new int[columns.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = columns.get(i).name().length();
            for (List<String> row : table.rows()) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        out.println(line(columns.stream().map(Table.Column::name).toList(), width, columns));
        for (List<String> row : table.rows()) {
            out.println(line(row, width, columns));
        }
        if (table.rows().isEmpty()) {
            out.println("  (none)");
        }
        out.flush();
    }

    private static String line(List<String> cells, int[] width, List<Table.Column> columns) {
        StringBuilder b = new StringBuilder(" ");
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            String pad = " ".repeat(width[i] - cell.length());
            b.append(' ').append(columns.get(i).numeric() ? pad + cell : cell + pad).append(' ');
        }
        return b.toString().stripTrailing();
    }
}
