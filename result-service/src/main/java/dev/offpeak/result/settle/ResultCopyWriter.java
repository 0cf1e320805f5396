package dev.offpeak.result.settle;

import dev.offpeak.result.provider.ResultLine;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.Cost;
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
            + " settled_at, final";
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

    void add(int attempt, ResultLine line, Cost cost, boolean isFinal) {
        Usage u = line.usage() == null ? Usage.ZERO : line.usage();
        field(line.requestId()).append(',');
        field(batchId).append(',');
        chunk.append(attempt).append(',');
        field(SettlementStore.status(line.outcome())).append(',');
        if (line.httpStatus() != null) {
            chunk.append(line.httpStatus().intValue());
        }
        chunk.append(',');
        field(line.response() == null ? null : Json.write(line.response())).append(',');
        field(line.errorCode()).append(',');
        field(line.errorMessage()).append(',');
        chunk.append(line.retryable()).append(',');
        chunk.append(u.inputTokens()).append(',').append(u.cachedInputTokens()).append(',')
                .append(u.cacheWrite5mTokens()).append(',').append(u.cacheWrite1hTokens()).append(',')
                .append(u.outputTokens()).append(',').append(u.reasoningTokens()).append(',');
        chunk.append(cost.batchUsd().toPlainString()).append(',').append(cost.syncUsd().toPlainString()).append(',');
        field(cost.priceVersion()).append(',');
        chunk.append(settledAt).append(',').append(isFinal).append('\n');
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
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"') {
                chunk.append('"');
            }
            chunk.append(ch);
        }
        return chunk.append('"');
    }
}
