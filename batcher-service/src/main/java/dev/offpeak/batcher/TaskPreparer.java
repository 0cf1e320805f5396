package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.batcher.config.LaneLimits;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.batcher.lines.LineFormat;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.identity.RequestIdentity;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.CacheablePrefix;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.TaskValidator;
import dev.offpeak.schemas.validation.TokenEstimator;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Step 1 of the topology: parse, validate, compute the request identity, cacheable prefix, packing
 * key, provider line and estimates of one task, once. Anything wrong becomes a rejection for the
 * DLQ, never an exception: bad input must not stop the app. A task whose line could never be
 * submitted (larger than any batch of its lane, or than a Kafka record may be) is rejected here,
 * before it is accepted.
 *
 * <p>Step 2, the route: the task goes on keyed by its {@link PackingKey}, computed here from the
 * task and never taken from the producer's record key. If the record already sits on the key's
 * partition of {@code offpeak.tasks} (a producer keyed it by that key with the default
 * partitioner), it is processed in place; otherwise it is moved through the repartition topic. A
 * producer's wrong guess costs a repartition, never a missed dedup.
 */
final class TaskPreparer implements Processor<byte[], byte[], byte[], Intake> {
    /** Room for the other BatchItem fields around the escaped line. */
    static final int ITEM_ENVELOPE_BYTES = 2048;

    private static final EventSerde<TaskSubmitted> TASKS = EventSerde.of(TaskSubmitted.class);

    private final BatcherConfig config;
    private final TaskValidator validator;
    private final PrefixTokens tokens;
    private final CostEstimator costs;
    private final BatcherMetrics metrics;
    private final int partitions;
    private ProcessorContext<byte[], Intake> context;

    /** {@code partitions}: of {@code offpeak.tasks}, which the repartition topic has too. */
    TaskPreparer(BatcherConfig config, TaskValidator validator, TokenEstimator tokens, CostEstimator costs,
               BatcherMetrics metrics, int partitions) {
        this.config = config;
        this.validator = validator;
        this.tokens = new PrefixTokens(tokens);
        this.costs = costs;
        this.metrics = metrics;
        this.partitions = partitions;
    }

    @Override
    public void init(ProcessorContext<byte[], Intake> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.taskIn();
        JsonNode tree;
        try {
            tree = record.value() == null ? null : Json.mapper().readTree(record.value());
        } catch (JacksonException e) {
            reject(record, DlqRecords.MALFORMED_JSON, new Problem(Problem.ROOT, "malformed JSON: " + e.getOriginalMessage()));
            return;
        } catch (IOException e) {
            reject(record, DlqRecords.MALFORMED_JSON, new Problem(Problem.ROOT, "unreadable input: " + e.getMessage()));
            return;
        }
        if (tree == null || tree.isMissingNode()) {
            reject(record, DlqRecords.MALFORMED_JSON, new Problem(Problem.ROOT, "empty record: expected a task.submitted"));
            return;
        }
        List<Problem> problems = validator.validate(tree);
        if (!problems.isEmpty()) {
            reject(record, DlqRecords.INVALID_TASK, problems);
            return;
        }
        TaskSubmitted task;
        try {
            task = TASKS.convert(tree);
        } catch (SerializationException e) {
            reject(record, DlqRecords.INVALID_TASK, new Problem(Problem.ROOT, e.getMessage()));
            return;
        }
        PendingTask pending = prepare(task, record.timestamp());
        Problem tooLarge = tooLarge(pending);
        if (tooLarge != null) {
            reject(record, DlqRecords.TOO_LARGE, tooLarge);
            return;
        }
        String key = PackingKey.of(pending.provider(), pending.endpoint(), pending.model(), pending.prefixFingerprint(),
                pending.requestId(), config.shardsFor(pending.model())).key();
        boolean inPlace = context.recordMetadata()
                .map(m -> m.partition() == PackingKey.partition(key, partitions)).orElse(false);
        metrics.routed(inPlace);
        context.forward(record.withKey(key.getBytes(StandardCharsets.UTF_8)).withValue(Intake.task(pending, inPlace)));
    }

    private PendingTask prepare(TaskSubmitted task, long recordTimestamp) {
        String requestId = RequestIdentity.requestId(task);
        String lane = PackingKey.lane(task.provider(), task.endpoint(), task.model());
        CacheablePrefix prefix = CacheablePrefix.of(task.provider(), task.endpoint(), task.request());
        String line = LineFormat.line(task.provider(), task.endpoint(), task.model(), requestId, task.request());
        long lineBytes = line.getBytes(StandardCharsets.UTF_8).length + 1L; // + the newline of the file
        PrefixTokens.Estimate estimated = tokens.estimate(task.provider(), task.model(), task.request(), prefix);
        Instant pricedAt = task.submittedAt() != null ? task.submittedAt() : Instant.ofEpochMilli(recordTimestamp);
        BigDecimal cost = costs.estimate(task.provider(), task.model(), task.request(), estimated.total(), pricedAt);
        return new PendingTask(task.taskId(), task.tenant(), task.jobId(), task.provider(), task.endpoint(), task.model(),
                task.metadata(), task.notAfter(), task.submittedAt(), requestId, lane, line, lineBytes, estimated.total(),
                cost, prefix.fingerprint(), estimated.prefix(), task.mode());
    }

    private Problem tooLarge(PendingTask t) {
        LaneLimits limits = config.limitsFor(t.provider(), t.model());
        if (!limits.admits(t.lineBytes(), t.estimatedTokens())) {
            return new Problem("request", "too large for any batch of lane " + t.lane() + ": line " + t.lineBytes()
                    + " bytes / ~" + t.estimatedTokens() + " tokens, limits " + limits.maxBytes() + " bytes / "
                    + (limits.maxTokens() == LaneLimits.UNLIMITED ? "unlimited" : limits.maxTokens()) + " tokens");
        }
        long recordBytes = escapedLength(t.line()) + ITEM_ENVELOPE_BYTES;
        if (recordBytes > config.maxRecordBytes()) {
            return new Problem("request", "too large for a Kafka record: its batch item needs ~" + recordBytes
                    + " bytes, " + BatcherConfig.MAX_RECORD_BYTES + " is " + config.maxRecordBytes());
        }
        return null;
    }

    /** UTF-8 length of {@code line} as a JSON string value: quotes and backslashes gain a backslash. */
    static long escapedLength(String line) {
        long extra = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"' || c == '\\') {
                extra++;
            }
        }
        return line.getBytes(StandardCharsets.UTF_8).length + extra;
    }

    private void reject(Record<byte[], byte[]> record, String reason, Problem problem) {
        reject(record, reason, List.of(problem));
    }

    private void reject(Record<byte[], byte[]> record, String reason, List<Problem> problems) {
        metrics.dlq(reason);
        context.forward(DlqRecords.reject(context, record, reason, problems));
    }
}
