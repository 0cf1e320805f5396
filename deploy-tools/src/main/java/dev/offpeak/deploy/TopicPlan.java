package dev.offpeak.deploy;

import dev.offpeak.schemas.topics.Topic;
import dev.offpeak.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The settings table of every Offpeak topic, in code so a typo fails the build and a new topic in
 * {@link Topics#all()} without a row here fails {@link #of}. Why each value:
 *
 * <ul>
 *   <li>{@code max.message.bytes} 16 MiB where a record carries a task's provider-native request
 *       ({@code offpeak.tasks}, its DLQ, {@code offpeak.batch-items}): ingest accepts tasks up to
 *       {@code OFFPEAK_INGEST_MAX_TASK_BYTES} (1 MiB by default, up to 64 MiB) plus 64 KiB of envelope.
 *       Raise it with that setting. {@code offpeak.task-completed} inlines responses up to
 *       {@code OFFPEAK_RESULT_INLINE_RESPONSE_BYTES} (64 KiB by default): 4 MiB. Control events: 1 MiB.</li>
 *   <li>retention 7 days on the pipeline topics: a stopped consumer (result-service during an outage, a
 *       producer's completion reader) has a week to catch up; provider batches finish within 24 h.
 *       The DLQ keeps 30 days: someone has to look at it.</li>
 *   <li>partitions 12 on the task-keyed topics (the unit of batcher and consumer parallelism; raise, never
 *       lower: a lower count would move keys), 3 on the low-volume ones, 1 on
 *       {@code offpeak.budget-events} (a few alerts a day; one partition keeps them in order).</li>
 *   <li>{@code min.insync.replicas} 2 when replicated 3 or more times (1 below that), so
 *       {@code acks=all} (ingest, Streams exactly-once) survives one broker down and loses nothing.</li>
 * </ul>
 */
public final class TopicPlan {
    public static final short DEFAULT_REPLICATION = 3;
    static final int MIB = 1024 * 1024;
    private static final Duration WEEK = Duration.ofDays(7);
    private static final Duration MONTH = Duration.ofDays(30);

    /** One row of the table. */
    record Row(int partitions, Duration retention, int maxMessageBytes) {}

    private static final Map<String, Row> TABLE = table();

    private static Map<String, Row> table() {
        Map<String, Row> t = new LinkedHashMap<>();
        t.put(Topics.TASKS.name(), new Row(12, WEEK, 16 * MIB));
        t.put(Topics.TASKS_DLQ.name(), new Row(3, MONTH, 16 * MIB));
        t.put(Topics.JOBS.name(), new Row(3, WEEK, MIB));
        t.put(Topics.TASK_ACCEPTED.name(), new Row(12, WEEK, MIB));
        t.put(Topics.BATCH_ITEMS.name(), new Row(12, WEEK, 16 * MIB));
        t.put(Topics.TASK_COMPLETED.name(), new Row(12, WEEK, 4 * MIB));
        t.put(Topics.JOB_COMPLETED.name(), new Row(3, WEEK, MIB));
        t.put(Topics.BUDGET_EVENTS.name(), new Row(1, MONTH, MIB));
        return t;
    }

    private TopicPlan() {}

    /**
     * Every topic of {@link Topics#all()} with its row.
     *
     * @param partitions overrides every topic's partition count when present
     * @param replication the replication factor of new topics (1 for a single-broker cluster)
     */
    public static List<TopicSpec> of(OptionalInt partitions, short replication) {
        List<TopicSpec> specs = new ArrayList<>();
        for (Topic<?, ?> topic : Topics.all()) {
            Row row = TABLE.get(topic.name());
            if (row == null) {
                throw new IllegalStateException("Topic " + topic.name() + " is in Topics.all() but has no row in "
                        + "TopicPlan: add its partitions, retention and max.message.bytes");
            }
            Map<String, String> configs = new LinkedHashMap<>();
            configs.put("cleanup.policy", "delete");
            configs.put("retention.ms", String.valueOf(row.retention().toMillis()));
            configs.put("max.message.bytes", String.valueOf(row.maxMessageBytes()));
            configs.put("min.insync.replicas", String.valueOf(Math.min(2, Math.max(1, replication - 1))));
            specs.add(new TopicSpec(topic.name(), partitions.orElse(row.partitions()), replication, configs));
        }
        return List.copyOf(specs);
    }
}
