package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.batcher.serde.LaneStateSerde;
import dev.offpeak.batcher.serde.PendingTaskSerde;
import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.packing.PackingKey;
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
 * The batching topology, read top to bottom: one repartition, by packing key, and a fast path that
 * needs none.
 *
 * <p>Topics (key → value):
 * <ul>
 *   <li>reads {@code offpeak.tasks}: task.submitted, read as raw bytes so bad records can be
 *       forwarded untouched; keyed by {@link PackingKey#key()} (the fast path) or by anything else,
 *       e.g. task_id (one repartition hop)</li>
 *   <li>reads {@code offpeak.jobs}: job_id → job.sealed (raw bytes, same reason)</li>
 *   <li>writes {@code offpeak.tasks.dlq}: original key bytes → original value bytes, reason in
 *       {@code DlqHeaders} headers</li>
 *   <li>writes {@code offpeak.task-accepted}: task_id → task.accepted, for every task (original or
 *       duplicate)</li>
 *   <li>writes {@code offpeak.batch-items}: batch_id → batch.item lines then one batch.closed</li>
 *   <li>internal {@code <app>-by-packing-key-repartition}, as many partitions as {@code
 *       offpeak.tasks}: packing key → {@link PackingInput} task (binary, {@link PendingTaskSerde}),
 *       or job_id → seal copied to every partition</li>
 * </ul>
 * Stores: {@value Dedup#STORE} (window store, request_id → first task_id, retention = dedup window),
 * {@value BatchPacker#LANES_STORE} (lane slot → {@link LaneState}), {@value BatchPacker#SEALED_STORE}
 * (job_id → sealed at). Every operator, store and internal topic is named, so their names survive
 * topology changes.
 *
 * <p>Dedup and packing run in the sub-topology that also reads {@code offpeak.tasks} and writes the
 * repartition topic: the in-place branch is merged with the repartitioned stream, so that
 * sub-topology reads the topic it writes. Kafka Streams accepts this (a topic is an edge between
 * tasks, not inside one: task p writes to partition q and task q reads it, after p's transaction
 * commits); {@code BatcherTopologyShapeTest} pins the shape and the exactly-once IT runs it.
 */
public final class BatcherTopology {
    /** Name of the one repartition; its topic is {@code <application.id>-by-packing-key-repartition}. */
    public static final String BY_PACKING_KEY = "by-packing-key";

    private BatcherTopology() {}

    /**
     * @param taskPartitions the partition count of {@code offpeak.tasks}: the repartition topic gets as
     *     many, so a packing key's partition is the same in both and a task found on it is processed
     *     in place. Fixed for the application's life: the internal topic keeps the count it was
     *     created with, and Streams refuses to start when they differ.
     */
    public static Topology build(BatcherConfig config, ModelRegistry catalog, BatcherMetrics metrics, int taskPartitions) {
        if (taskPartitions < 1) {
            throw new IllegalArgumentException("taskPartitions must be >= 1, got " + taskPartitions);
        }
        StreamsBuilder builder = new StreamsBuilder();
        TaskValidator validator = new TaskValidator(catalog);
        TokenEstimator tokens = new TokenEstimator();
        CostEstimator costs = new CostEstimator(catalog);

        // 1. Read tasks as bytes; parse, validate and prepare each once, keyed by its packing key.
        //    Bad ones go to the DLQ. 2. Route: a task already on its key's partition stays in place.
        Map<String, KStream<byte[], Intake>> tasks = builder
                .stream(Topics.TASKS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read-tasks"))
                .process(() -> new TaskPreparer(config, validator, tokens, costs, metrics, taskPartitions),
                        Named.as("task-intake"))
                .split(Named.as("tasks-"))
                .branch((key, intake) -> intake instanceof Intake.Rejected, Branched.as("rejected"))
                .branch((key, intake) -> ((Intake.Task) intake).inPlace(), Branched.as("in-place"))
                .defaultBranch(Branched.as("elsewhere"));
        toDlq(tasks.get("tasks-rejected"), "task-rejections");
        KStream<String, PackingInput> inPlace = tasks.get("tasks-in-place")
                .map(BatcherTopology::packingInput, Named.as("key-in-place"));
        KStream<String, PackingInput> elsewhere = tasks.get("tasks-elsewhere")
                .map(BatcherTopology::packingInput, Named.as("key-elsewhere"));

        Map<String, KStream<byte[], Intake>> jobs = builder
                .stream(Topics.JOBS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read-jobs"))
                .process(() -> new JobIntake(metrics), Named.as("job-intake"))
                .split(Named.as("jobs-"))
                .branch((key, intake) -> intake instanceof Intake.Rejected, Branched.as("rejected"))
                .defaultBranch(Branched.as("valid"));
        toDlq(jobs.get("jobs-rejected"), "job-rejections");
        KStream<String, PackingInput> seals = jobs.get("jobs-valid")
                .map((key, intake) -> KeyValue.pair(((Intake.Seal) intake).seal().jobId(),
                        PackingInput.seal(((Intake.Seal) intake).seal())), Named.as("key-by-job"));

        // The one repartition: a task to its packing key's partition, a job seal to every partition.
        KStream<String, PackingInput> moved = elsewhere.merge(seals, Named.as("tasks-and-seals-to-move"))
                .repartition(Repartitioned.<String, PackingInput>as(BY_PACKING_KEY)
                        .withKeySerde(Serdes.String()).withValueSerde(PendingTaskSerde.packingInputs())
                        .withNumberOfPartitions(taskPartitions)
                        .withStreamPartitioner(new PackingPartitioner()));
        Map<String, KStream<String, PackingInput>> packing = inPlace.merge(moved, Named.as("in-place-and-moved"))
                .split(Named.as("packing-"))
                .branch((key, input) -> input instanceof PackingInput.Seal, Branched.as("seals"))
                .defaultBranch(Branched.as("tasks"));

        // 3. Dedup within the window: first task of a request id goes on, later ones are duplicates.
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(Dedup.STORE, config.dedupWindow(), config.dedupWindow(), false),
                Serdes.String(), Serdes.String()));
        KStream<String, Verdict> verdicts = packing.get("packing-tasks")
                .mapValues(input -> ((PackingInput.Item) input).item(), Named.as("unwrap-tasks"))
                .process(() -> new Dedup(config.dedupWindow(), metrics), Named.as("dedup"), Dedup.STORE);

        // 4. Every task, original or duplicate, is accepted.
        verdicts.map((key, v) -> KeyValue.pair(v.task().taskId(), accepted(v)), Named.as("to-task-accepted"))
                .to(Topics.TASK_ACCEPTED.name(), Produced.with(Topics.TASK_ACCEPTED.keySerde(),
                        Topics.TASK_ACCEPTED.valueSerde()).withName("write-task-accepted"));

        // 5. New requests join their lane's open batch on this partition; close on limits, age or job seal.
        KStream<String, PackingInput> lines = verdicts
                .filter((key, v) -> v instanceof Verdict.First, Named.as("new-requests"))
                .mapValues(v -> PackingInput.item(v.task()), Named.as("to-lines"));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BatchPacker.LANES_STORE),
                Serdes.String(), new LaneStateSerde()).withCachingEnabled()); // one changelog write per slot per commit, not per line
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BatchPacker.SEALED_STORE),
                Serdes.String(), Serdes.Long()));
        lines.merge(packing.get("packing-seals"), Named.as("lines-and-seals"))
                .process(() -> new BatchPacker(config, metrics, taskPartitions), Named.as("pack"),
                        BatchPacker.LANES_STORE, BatchPacker.SEALED_STORE)
                .to(Topics.BATCH_ITEMS.name(), Produced.<String, BatchRecord>with(Topics.BATCH_ITEMS.keySerde(),
                        Topics.BATCH_ITEMS.valueSerde()).withName("write-batch-items"));

        return builder.build();
    }

    private static KeyValue<String, PackingInput> packingInput(byte[] key, Intake intake) {
        return KeyValue.pair(new String(key, StandardCharsets.UTF_8), PackingInput.item(((Intake.Task) intake).task()));
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
