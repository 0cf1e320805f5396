package dev.offpeak.result.completion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.budget.BudgetGate;
import dev.offpeak.schemas.events.ErrorInfo;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskCompleted;
import dev.offpeak.schemas.events.TaskStatus;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import java.time.Instant;
import java.sql.Timestamp;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * The {@code task.completed} event of a terminal task, composed from the task row and its final
 * result as the contract's {@link TaskCompleted} record. Both rows are immutable once the task is
 * terminal, so every publication carries the same event, with the same {@code event_id}, whichever
 * outbox row (the task's own or its settled batch's) it is published from.
 */
final class TaskCompletedEvents {
    private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {};
    private static final TypeReference<ObjectNode> BODY = new TypeReference<>() {};

    /** What {@link #read} needs of task {@code t}, over {@link #JOINS}. */
    static final String COLUMNS = """
            t.tenant, t.task_id, t.job_id, t.status, t.request_id, t.duplicate, t.provider, t.model, t.endpoint,
            t.result_batch_id,
            CASE WHEN r.error_code = '%s' THEN NULL ELSE b.provider_batch_id END AS provider_batch_id,
            r.http_status, r.response::text AS response,
            t.error_code, t.error_message, r.input_tokens, r.cached_input_tokens, r.cache_write_5m_tokens,
            r.cache_write_1h_tokens, r.output_tokens, r.reasoning_tokens, t.cost_usd, t.sync_cost_usd,
            t.saved_usd, r.price_version, r.attempt, t.metadata::text AS metadata, t.submitted_at,
            t.accepted_at, t.completed_at""".formatted(BudgetGate.REFUSED_CODE); // a refused line reached no provider batch

    /** What {@link #COLUMNS} reads besides the task {@code t}: its final result {@code r} and its batch {@code b}. */
    static final String JOINS = """
            LEFT JOIN results r ON r.request_id = t.request_id AND r.batch_id = t.result_batch_id
            LEFT JOIN batches b ON b.batch_id = t.result_batch_id""";

    /**
     * The event of the current row of {@link #COLUMNS}. A provider body larger than
     * {@code inlineResponseBytes} (its JSON text in UTF-8) is referenced ({@code response_ref}), not inlined.
     */
    static TaskCompleted read(ResultSet rs, int inlineResponseBytes) throws SQLException {
        String tenant = rs.getString("tenant");
        String taskId = rs.getString("task_id");
        String response = rs.getString("response");
        boolean inline = response != null && response.getBytes(StandardCharsets.UTF_8).length <= inlineResponseBytes;
        String errorCode = rs.getString("error_code");
        String errorMessage = rs.getString("error_message");
        return new TaskCompleted(OutboxStore.taskEventId(tenant, taskId), taskId, tenant, rs.getString("job_id"),
                TaskStatus.valueOf(rs.getString("status").toUpperCase(java.util.Locale.ROOT)),
                rs.getString("request_id"), rs.getBoolean("duplicate"), Provider.of(rs.getString("provider")),
                rs.getString("model"), rs.getString("endpoint"), rs.getString("result_batch_id"),
                rs.getString("provider_batch_id"), rs.getObject("http_status", Integer.class),
                inline ? parse(response, BODY) : null,
                response != null && !inline ? "/v1/tasks/" + taskId + "/response" : null,
                errorCode == null ? null : new ErrorInfo(errorCode, errorMessage == null ? "" : errorMessage),
                new Usage(rs.getLong("input_tokens"), rs.getLong("cached_input_tokens"),
                        rs.getLong("cache_write_5m_tokens"), rs.getLong("cache_write_1h_tokens"),
                        rs.getLong("output_tokens"), rs.getLong("reasoning_tokens")),
                rs.getBigDecimal("cost_usd"), rs.getBigDecimal("sync_cost_usd"), rs.getBigDecimal("saved_usd"),
                rs.getString("price_version"), rs.getInt("attempt"), metadata(rs.getString("metadata")),
                instant(rs.getTimestamp("submitted_at")), instant(rs.getTimestamp("accepted_at")),
                instant(rs.getTimestamp("completed_at")));
    }

    private static Map<String, String> metadata(String json) {
        return json == null ? Map.of() : parse(json, METADATA);
    }

    private static <T> T parse(String json, TypeReference<T> type) {
        try {
            return Json.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not read back: " + e.getOriginalMessage(), e);
        }
    }

    static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private TaskCompletedEvents() {}
}
