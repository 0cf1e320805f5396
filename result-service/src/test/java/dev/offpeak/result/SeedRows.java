package dev.offpeak.result;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * Bulk test rows of a batch in flight: its requests, its items and the tasks, given as CSV in the
 * column order below and written with COPY (tens of thousands of rows in a second).
 */
public final class SeedRows {
    /** The columns of a requests row. */
    public static final String REQUESTS = "request_id, provider, endpoint, model, lane, line, line_bytes, estimated_tokens,"
            + " first_tenant, first_task_id, created_at";
    /** The columns of a batch_items row. */
    public static final String ITEMS = "batch_id, seq, request_id, task_id, tenant, attempt";
    /** The columns of a tasks row (the rest take their defaults: an open task). */
    public static final String TASKS = "tenant, task_id, request_id, provider, model, endpoint, lane, duplicate,"
            + " estimated_input_tokens, estimated_cost_usd, accepted_at";

    public static void copy(Connection c, CharSequence requests, CharSequence items, CharSequence tasks)
            throws SQLException {
        var copy = c.unwrap(PGConnection.class).getCopyAPI();
        try {
            copy.copyIn("COPY requests (" + REQUESTS + ") FROM STDIN (FORMAT csv)", new StringReader(requests.toString()));
            copy.copyIn("COPY batch_items (" + ITEMS + ") FROM STDIN (FORMAT csv)", new StringReader(items.toString()));
            copy.copyIn("COPY tasks (" + TASKS + ") FROM STDIN (FORMAT csv)", new StringReader(tasks.toString()));
        } catch (java.io.IOException e) {
            throw new SQLException("seeding rows failed", e);
        }
    }

    private SeedRows() {}
}
