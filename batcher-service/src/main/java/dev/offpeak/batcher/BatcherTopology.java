package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.batcher.serde.LaneStateSerde;
import dev.offpeak.batcher.serde.PendingTaskSerde;
import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.schemas.validation.TaskValidator;
import dev.offpeak.schemas.validation.TokenEstimator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The batching topology, read top to bottom.
 *
 * <p>Topics (key → value):
 * <ul>
 *   <li>reads {@code offpeak.tasks}: task_id → task.submitted, read as raw bytes so bad records can be
 *       forwarded untouched</li>
 *   <li>reads {@code offpeak.jobs}: job_id → job.sealed (raw bytes, same reason)</li>
 *   <li>writes {@code offpeak.tasks.dlq}: original key bytes → original value bytes, reason in
 *       {@code DlqHeaders} headers</li>
 *   <li>writes {@code offpeak.task-accepted}: task_id → task.accepted, for every task (original or
 *       duplicate)</li>
 *   <li>writes {@code offpeak.batch-items}: batch_id → batch.item lines then one batch.closed</li>
 *   <li>internal {@code <app>-by-request-id-repartition}: request_id → {@link PendingTask} (binary,
 *       {@link PendingTaskSerde})</li>
 *   <li>internal {@code <app>-by-lane-repartition}: lane → {@link LaneInput} line, or job_id → seal
 *       copied to every partition (binary)</li>
 * </ul>
 * Stores: {@value Dedup#STORE} (window store, request_id → first task_id, retention = dedup window),
 * {@value BatchPacker#LANES_STORE} (lane → {@link LaneState}), {@value BatchPacker#SEALED_STORE}
 * (job_id → sealed at). Every operator, store and internal topic is named, so their names survive
 * topology changes.
 */
public final class BatcherTopology {
    private BatcherTopology() {}

    public static Topology build(BatcherConfig config, ModelRegistry catalog, BatcherMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        TaskValidator validator = new TaskValidator(catalog);
        TokenEstimator tokens = new TokenEstimator();
        CostEstimator costs = new CostEstimator(catalog);

        // 1. Read tasks as bytes; parse, validate and prepare each once. Bad ones go to the DLQ.
        Map<String, KStream<byte[], Intake>> tasks = builder
                .stream(Topics.TASKS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read-tasks"))
                .process(() -> new TaskPreparer(config, validator, tokens, costs, metrics), Named.as("task-intake"))
                .split(Named.as("tasks-"))
                .branch((key, intake) -> intake instanceof Intake.Rejected, Branched.as("rejected"))
                .defaultBranch(Branched.as("valid"));
        toDlq(tasks.get("tasks-rejected"), "task-rejections");

        // 2. Repartition by request identity, so identical requests meet in one dedup store.
        KStream<String, PendingTask> byRequestId = tasks.get("tasks-valid")
                .map((key, intake) -> KeyValue.pair(
                        new String(key, StandardCharsets.UTF_8), ((Intake.Task) intake).task()), Named.as("key-by-request-id"))
                .repartition(Repartitioned.<String, PendingTask>as("by-request-id")
                        .withKeySerde(Serdes.String()).withValueSerde(PendingTaskSerde.tasks()));

        // 3. Dedup within the window: first task of a request id goes on, later ones are duplicates.
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(Dedup.STORE, config.dedupWindow(), config.dedupWindow(), false),
                Serdes.String(), Serdes.String()));
        KStream<String, Verdict> verdicts = byRequestId
                .process(() -> new Dedup(config.dedupWindow(), metrics), Named.as("dedup"), Dedup.STORE);

        // 4. Every task, original or duplicate, is accepted.
        verdicts.map((requestId, v) -> KeyValue.pair(v.task().taskId(), accepted(v)),
                        Named.as("to-task-accepted"))
                .to(Topics.TASK_ACCEPTED.name(), Produced.with(Topics.TASK_ACCEPTED.keySerde(),
                        Topics.TASK_ACCEPTED.valueSerde()).withName("write-task-accepted"));

        // 5. New lines go to their lane's partition; job seals go to every lane partition.
        KStream<String, LaneInput> lines = verdicts
                .filter((requestId, v) -> v instanceof Verdict.First, Named.as("new-requests"))
                .map((requestId, v) -> KeyValue.pair(v.task().lane(), LaneInput.item(v.task())),
                        Named.as("key-by-lane"));
        Map<String, KStream<byte[], Intake>> jobs = builder
                .stream(Topics.JOBS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read-jobs"))
                .process(() -> new JobIntake(metrics), Named.as("job-intake"))
                .split(Named.as("jobs-"))
                .branch((key, intake) -> intake instanceof Intake.Rejected, Branched.as("rejected"))
                .defaultBranch(Branched.as("valid"));
        toDlq(jobs.get("jobs-rejected"), "job-rejections");
        KStream<String, LaneInput> seals = jobs.get("jobs-valid")
                .map((key, intake) -> KeyValue.pair(((Intake.Seal) intake).seal().jobId(),
                        LaneInput.seal(((Intake.Seal) intake).seal())), Named.as("key-by-job"));
        KStream<String, LaneInput> byLane = lines.merge(seals, Named.as("lines-and-seals"))
                .repartition(Repartitioned.<String, LaneInput>as("by-lane")
                        .withKeySerde(Serdes.String()).withValueSerde(PendingTaskSerde.laneInputs())
                        .withStreamPartitioner(new LanePartitioner()));

        // 6. Append to the lane's open batch; close on limits, age or job seal; emit lines then marker.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BatchPacker.LANES_STORE),
                Serdes.String(), new LaneStateSerde()).withCachingEnabled()); // one changelog write per lane per commit, not per line
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BatchPacker.SEALED_STORE),
                Serdes.String(), Serdes.Long()));
        byLane.process(() -> new BatchPacker(config, metrics), Named.as("pack"),
                        BatchPacker.LANES_STORE, BatchPacker.SEALED_STORE)
                .to(Topics.BATCH_ITEMS.name(), Produced.<String, BatchRecord>with(Topics.BATCH_ITEMS.keySerde(),
                        Topics.BATCH_ITEMS.valueSerde()).withName("write-batch-items"));

        return builder.build();
    }

    private static void toDlq(KStream<byte[], Intake> rejected, String name) {
        rejected.mapValues(intake -> ((Intake.Rejected) intake).original(), Named.as(name))
                .to(Topics.TASKS_DLQ.name(), Produced.with(Topics.TASKS_DLQ.keySerde(), Topics.TASKS_DLQ.valueSerde())
                        .withName("write-" + name));
    }

    private static TaskAccepted accepted(Verdict v) {
        PendingTask t = v.task();
        return new TaskAccepted(t.taskId(), t.tenant(), t.jobId(), t.requestId(), t.provider(), t.model(), t.endpoint(),
                t.lane(), v instanceof Verdict.Duplicate, v instanceof Verdict.Duplicate d ? d.originalTaskId() : null,
                t.estimatedTokens(), t.estimatedCostUsd(), t.metadata(),
                t.notAfter(), t.submittedAt(), Instant.ofEpochMilli(v.acceptedAtMillis()));
    }
}
