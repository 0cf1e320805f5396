package dev.offpeak.result.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.read.JobCounts;
import dev.offpeak.result.read.JobReport;
import dev.offpeak.result.read.Overviews;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The read API's queries: the documented analyst views, one row as JSON, so the API and the views
 * never disagree; and the job report, progress and overview tables of the {@code read} package,
 * which the CLI runs on a database login too, scoped here to the token's tenant. Money stays exact:
 * {@code *_usd} values are answered as decimal strings.
 */
final class ReadStore {
    private static final ObjectReader EXACT = Json.mapper().reader()
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Db db;

    ReadStore(Db db) {
        this.db = db;
    }

    /**
     * Whether the database answers within {@code timeout}: a probe must answer while the database is
     * gone, and a pooled connection can wait far longer than that for a server that is not there.
     */
    boolean databaseAnswers(Duration timeout) {
        CompletableFuture<Boolean> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return db.queryOne("SELECT 1", rs -> rs.getInt(1)).isPresent();
            } catch (RuntimeException e) {
                return false;
            }
        }, PROBES);
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static final ExecutorService PROBES = Executors.newVirtualThreadPerTaskExecutor();

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

    /** The job's cost report for this tenant; empty when the tenant has no task of that job. */
    Optional<JobReport> report(String tenant, String jobId) {
        JobReport report = db.inTransaction(c -> JobReport.load(c, jobId, tenant));
        return report.rows().isEmpty() ? Optional.empty() : Optional.of(report);
    }

    /** The job's progress for this tenant: all zero before its first task arrives. */
    JobCounts progress(String tenant, String jobId) {
        return db.inTransaction(c -> JobCounts.load(c, jobId, tenant));
    }

    Overviews.Status status(String tenant) {
        return db.inTransaction(c -> Overviews.status(c, Optional.of(tenant)));
    }

    Overviews.Tenanted jobs(String tenant) {
        return db.inTransaction(c -> Overviews.jobs(c, Optional.of(tenant)));
    }

    Overviews.Tenanted costs(String tenant, Overviews.CostsBy by, Optional<LocalDate> since) {
        return db.inTransaction(c -> Overviews.costs(c, Optional.of(tenant), by, since));
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
