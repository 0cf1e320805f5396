package dev.offpeak.ingest.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.IngestMetrics.Endpoint;
import dev.offpeak.ingest.IngestMetrics;
import dev.offpeak.ingest.IntakeResult;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.ingest.TaskIntake;
import dev.offpeak.ingest.bulk.BulkIngest;
import dev.offpeak.ingest.bulk.BulkResult;
import dev.offpeak.ingest.bulk.LineDecoder;
import dev.offpeak.ingest.bulk.OpenAiBatchLines;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.ingest.kafka.SendFailedException;
import dev.offpeak.ingest.kafka.TaskPublisher;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.tenants.TenantPolicy;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The ingest handlers, one method per endpoint, each read top to bottom: check the request, turn
 * the body into tasks with {@link TaskIntake}, publish, and answer 202 only once Kafka acknowledged.
 * Authentication happens before (in {@link Routes}); request-level rejections are thrown and
 * answered by {@link HttpErrors}.
 */
public final class IngestApi {
    /** Everything the handlers need, grouped so the constructor stays small. */
    public record Deps(IngestConfig config, TaskIntake intake, TaskPublisher publisher, IngestMetrics metrics,
                       HttpErrors errors, JobSeals seals) {}

    private final Deps deps;
    private final BulkIngest bulk;
    private final Duration sendDeadline;

    public IngestApi(Deps deps) {
        this.deps = deps;
        IngestConfig config = deps.config();
        this.bulk = new BulkIngest(deps.publisher(), deps.metrics(),
                new BulkIngest.Settings(config.tasksTopic(), config.maxTaskBytes(), config.maxInFlight()));
        // The producer itself gives up after max.block + delivery.timeout; this only guards against a hang.
        this.sendDeadline = config.maxBlock().plus(config.sendTimeout()).plusSeconds(5);
    }

    /** POST /v1/tasks: one task.submitted JSON object. */
    public void submitTask(Context ctx, TenantPolicy tenant) {
        ContentTypes.require(ctx.contentType(), ContentTypes.SINGLE);
        byte[] body = BoundedBody.read(ctx.bodyInputStream(), ctx.contentLength(), deps.config().maxTaskBytes());
        IntakeResult.Ready ready = switch (deps.intake().prepare(body, 0, body.length, tenant)) {
            case Rejection rejection -> throw rejection.exception();
            case IntakeResult.Ready r -> r;
        };
        RecordMetadata metadata = await(deps.publisher().send(deps.config().tasksTopic(), ready.key(), ready.value(),
                deps.metrics()::sendLatency));
        deps.metrics().accepted(Endpoint.SINGLE);
        ObjectNode answer = Json.mapper().createObjectNode()
                .put("status", "accepted").put("task_id", ready.taskId()).put("tenant", tenant.tenant())
                .put("partition", metadata.partition()).put("offset", metadata.offset());
        ctx.status(202).contentType(ContentTypes.JSON).result(Json.writeBytes(answer));
    }

    /** POST /v1/tasks:bulk: NDJSON, one task per line, streamed. */
    public void submitBulk(Context ctx, TenantPolicy tenant) throws InterruptedException {
        ContentTypes.require(ctx.contentType(), ContentTypes.NDJSON);
        LineDecoder ndjson = deps.intake()::prepare;
        answerBulk(ctx, null, bulk.run(ctx.bodyInputStream(), tenant, ndjson, Endpoint.BULK));
    }

    /**
     * POST /v1/jobs/{job_id}/openai-batch: an OpenAI Batch input file, as is; {@code ?mode=} (batch,
     * flex, sync, auto) is the mode every task of the file asks for.
     */
    public void importOpenAiBatch(Context ctx, TenantPolicy tenant) throws InterruptedException {
        String jobId = JobSeals.checkJobId(ctx.pathParam("job_id"));
        RequestedMode mode = OpenAiBatchLines.checkMode(ctx.queryParam("mode"));
        ContentTypes.require(ctx.contentType(), ContentTypes.JSONL_FILE);
        OpenAiBatchLines decoder = new OpenAiBatchLines(deps.intake(), jobId, mode);
        answerBulk(ctx, jobId, bulk.run(ctx.bodyInputStream(), tenant, decoder, Endpoint.OPENAI_BATCH));
    }

    /** POST /v1/jobs/{job_id}:seal: no more tasks for this job; optional {"task_count": n}. */
    public void sealJob(Context ctx, TenantPolicy tenant) {
        String jobId = JobSeals.checkJobId(ctx.pathParam("job_id"));
        byte[] body = BoundedBody.read(ctx.bodyInputStream(), ctx.contentLength(), JobSeals.MAX_BODY_BYTES);
        if (body.length > 0) {
            ContentTypes.require(ctx.contentType(), ContentTypes.SINGLE);
        }
        JobSeals.Seal seal = deps.seals().prepare(jobId, tenant, body);
        await(deps.publisher().send(deps.config().jobsTopic(), jobId, seal.value(), deps.metrics()::sendLatency));
        deps.metrics().jobSealed();
        ObjectNode answer = Json.mapper().createObjectNode().put("status", "sealed").put("job_id", jobId)
                .put("tenant", tenant.tenant());
        if (seal.event().taskCount() != null) {
            answer.put("task_count", seal.event().taskCount());
        }
        answer.put("sealed_at", seal.event().sealedAt().toString());
        ctx.status(202).contentType(ContentTypes.JSON).result(Json.writeBytes(answer));
    }

    /**
     * 202 when every non-blank line was either acknowledged or rejected for its content and at
     * least one was accepted; otherwise the status of {@link BulkResult#requestError()}, with the
     * same per-line lists so the caller knows exactly which lines Kafka has.
     */
    private void answerBulk(Context ctx, String jobId, BulkResult result) {
        ObjectNode body = Json.mapper().createObjectNode();
        Rejection error = result.requestError();
        if (error != null) {
            body.set("error", HttpErrors.errorObject(error));
        }
        if (jobId != null) {
            body.put("job_id", jobId);
        }
        body.put("accepted", result.acceptedCount()).put("rejected", result.rejectedCount())
                .put("not_sent", result.notSentCount());
        ArrayNode accepted = body.putArray("accepted_tasks");
        result.acceptedLines().forEach(a -> accepted.addObject().put("line", a.line()).put("task_id", a.taskId()));
        ArrayNode rejected = body.putArray("rejected_lines");
        result.rejectedLines().forEach(r -> rejected.addObject().put("line", r.line())
                .set("error", HttpErrors.errorObject(r.rejection())));
        if (result.truncated()) {
            body.put("rejected_lines_truncated", true);
        }
        if (error == null) {
            ctx.status(202).contentType(ContentTypes.JSON).result(Json.writeBytes(body));
        } else {
            deps.errors().write(ctx, error.code(), body);
        }
    }

    private RecordMetadata await(CompletableFuture<RecordMetadata> send) {
        try {
            return send.get(sendDeadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SendFailedException failed) {
                throw failed.rejection().exception();
            }
            throw Rejection.of(ErrorCode.KAFKA_UNAVAILABLE, "send failed: " + e.getCause()).exception();
        } catch (TimeoutException e) {
            throw Rejection.of(ErrorCode.KAFKA_UNAVAILABLE, "Kafka did not answer within " + sendDeadline.toSeconds()
                    + "s; the task may or may not have been stored, resend it (task_id makes that safe)").exception();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Rejection.of(ErrorCode.KAFKA_UNAVAILABLE, "interrupted while waiting for Kafka").exception();
        }
    }
}
