package dev.offpeak.result.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The read API's queries: the documented analyst views, one row as JSON, so the API and the views
 * never disagree. Money stays exact: {@code *_usd} columns are answered as decimal strings.
 */
final class ReadStore {
    private static final ObjectReader EXACT = Json.mapper().reader()
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Db db;

    ReadStore(Db db) {
        this.db = db;
    }

    boolean databaseAnswers() {
        try {
            return db.queryOne("SELECT 1", rs -> rs.getInt(1)).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    Optional<JsonNode> task(String tenant, String taskId) {
        return row("SELECT to_jsonb(v)::text FROM analytics.task_costs v WHERE tenant = ? AND task_id = ?",
                tenant, taskId).map(task -> {
                    if ("succeeded".equals(task.path("status").asText())) {
                        task.put("response_ref", "/v1/tasks/" + taskId + "/response");
                    }
                    return task;
                });
    }

    Optional<String> response(String tenant, String taskId) {
        return db.queryOne("""
                SELECT r.response::text FROM tasks t
                  JOIN results r ON r.request_id = t.request_id AND r.batch_id = t.result_batch_id
                 WHERE t.tenant = ? AND t.task_id = ? AND r.response IS NOT NULL""",
                rs -> rs.getString(1), tenant, taskId);
    }

    Optional<JsonNode> job(String tenant, String jobId) {
        return row("SELECT to_jsonb(v)::text FROM analytics.job_status v WHERE tenant = ? AND job_id = ?",
                tenant, jobId).map(j -> j);
    }

    private Optional<ObjectNode> row(String sql, Object... params) {
        return db.queryOne(sql, rs -> rs.getString(1), params).map(ReadStore::exact);
    }

    private static ObjectNode exact(String json) {
        try {
            ObjectNode node = (ObjectNode) EXACT.readTree(json);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().endsWith("_usd") && field.getValue().isNumber()) {
                    field.setValue(node.textNode(field.getValue().decimalValue().toPlainString()));
                }
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
