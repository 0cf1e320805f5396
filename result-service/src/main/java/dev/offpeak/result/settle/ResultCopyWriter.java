package dev.offpeak.result.settle;

import dev.offpeak.result.provider.ResultLine;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Writes result rows with one streaming {@code COPY ... FROM STDIN (FORMAT csv)}: the fastest way
 * into Postgres, and safe here because a batch is settled once, in one transaction, under a row
 * lock (a duplicate row would violate the primary key and roll the whole settlement back). Rows go
 * to the server in 64 KiB pieces as they are produced, so the server stores them while the next
 * lines are parsed and costed.
 */
final class ResultCopyWriter {
    static final String COLUMNS = "request_id, batch_id, attempt, status, http_status, response, error_code,"
            + " error_message, retryable, input_tokens, cached_input_tokens, cache_write_5m_tokens,"
            + " cache_write_1h_tokens, output_tokens, reasoning_tokens, cost_usd, sync_cost_usd, price_version,"
            + " settled_at, final, list_cost_usd, mode, batch_cost_usd";
    private static final int PIECE_CHARS = 64 * 1024;

    private final CopyManager copy;
    private final String batchId;
    private final String settledAt;
    private final StringBuilder chunk = new StringBuilder(PIECE_CHARS * 2);
    private CopyIn stream;

    ResultCopyWriter(Connection c, String batchId, Instant settledAt) throws SQLException {
        this.copy = c.unwrap(PGConnection.class).getCopyAPI();
        this.batchId = batchId;
        this.settledAt = settledAt.toString();
    }

    /**
     * @param mode      the mode the line ran in (its cost is priced in it)
     * @param batchCost what the same usage costs in a batch (the cost itself for a batch line)
     */
    void add(int attempt, ResultLine line, Cost cost, boolean isFinal, Mode mode, java.math.BigDecimal batchCost) {
        Usage u = line.usage() == null ? Usage.ZERO : line.usage();
        field(line.requestId()).append(',');
        field(batchId).append(',');
        chunk.append(attempt).append(',');
        field(line.outcome().db()).append(',');
        if (line.httpStatus() != null) {
            chunk.append(line.httpStatus().intValue());
        }
        chunk.append(',');
        if (line.response() != null) {
            // written straight into the chunk, quoted as it goes: no intermediate string
            chunk.append('"');
            try {
                Json.mapper().writeValue(quoted, line.response());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the response of " + line.requestId(), e);
            }
            chunk.append('"');
        }
        chunk.append(',');
        field(line.errorCode()).append(',');
        field(line.errorMessage()).append(',');
        chunk.append(line.retryable()).append(',');
        chunk.append(u.inputTokens()).append(',').append(u.cachedInputTokens()).append(',')
                .append(u.cacheWrite5mTokens()).append(',').append(u.cacheWrite1hTokens()).append(',')
                .append(u.outputTokens()).append(',').append(u.reasoningTokens()).append(',');
        chunk.append(cost.batchUsd().toPlainString()).append(',').append(cost.syncUsd().toPlainString()).append(',');
        field(cost.priceVersion()).append(',');
        chunk.append(settledAt).append(',').append(isFinal).append(',').append(cost.listUsd().toPlainString())
                .append(',').append(mode.name().toLowerCase(java.util.Locale.ROOT)).append(',')
                .append(batchCost.toPlainString()).append('\n');
        if (chunk.length() >= PIECE_CHARS) {
            send();
        }
    }

    /** Sends what is buffered and ends the COPY; the connection is free for other statements after. */
    void finish() {
        send();
        if (stream != null) {
            try {
                stream.endCopy();
            } catch (SQLException e) {
                throw new IllegalStateException("COPY of results for " + batchId + " failed: " + e.getMessage(), e);
            }
            stream = null;
        }
    }

    /**
     * Abandons a COPY left open by a failure, so that the transaction can be rolled back (the
     * connection answers nothing else while a COPY is in progress).
     */
    void abort() {
        chunk.setLength(0);
        if (stream != null) {
            try {
                if (stream.isActive()) {
                    stream.cancelCopy();
                }
            } catch (SQLException e) {
                // the rollback that follows reports the connection's state
            }
            stream = null;
        }
    }

    private void send() {
        if (chunk.isEmpty()) {
            return;
        }
        try {
            if (stream == null) {
                stream = copy.copyIn("COPY results (" + COLUMNS + ") FROM STDIN (FORMAT csv)");
            }
            byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
            stream.writeToCopy(bytes, 0, bytes.length);
        } catch (SQLException e) {
            throw new IllegalStateException("COPY of results for " + batchId + " failed: " + e.getMessage(), e);
        }
        chunk.setLength(0);
    }

    /** CSV: null is an empty unquoted field; every text value is quoted, quotes doubled. */
    private StringBuilder field(String value) {
        if (value == null) {
            return chunk;
        }
        chunk.append('"');
        appendQuoted(value, 0, value.length());
        return chunk.append('"');
    }

    /** Appends {@code text[from, to)} with every quote doubled, copying the runs between quotes whole. */
    private void appendQuoted(CharSequence text, int from, int to) {
        int run = from;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '"') {
                chunk.append(text, run, i + 1).append('"');
                run = i + 1;
            }
        }
        chunk.append(text, run, to);
    }

    /** A writer into the chunk that doubles quotes: the inside of a quoted CSV field. */
    private final Writer quoted = new Writer() {
        @Override
        public void write(char[] buf, int off, int len) {
            int run = off;
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '"') {
                    chunk.append(buf, run, i + 1 - run).append('"');
                    run = i + 1;
                }
            }
            chunk.append(buf, run, off + len - run);
        }

        @Override
        public void write(String text, int off, int len) {
            appendQuoted(text, off, off + len);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
}
