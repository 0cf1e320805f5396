package dev.offpeak.result.intake;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.completion.TaskCompletion;
import dev.offpeak.result.store.IntakeStore;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code offpeak.task-accepted}, {@code offpeak.batch-items} and {@code offpeak.jobs} (read_committed) and writes
 * them to Postgres. Offsets are committed only after the database transaction commits, and every
 * write is idempotent, so a crash anywhere replays into the same rows. A record that cannot be
 * read is kept in {@code intake_rejects} with its reason, never dropped and never fatal.
 */
public final class EventIntake {
    private static final Logger log = LoggerFactory.getLogger(EventIntake.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Db db;
    private final IntakeStore store;
    private final InstantSource clock;
    private final IntakeListener listener;
    private final String acceptedTopic;
    private final String itemsTopic;
    private final String jobsTopic;
    private final TaskCompletion completion;

    /** Hook for what follows a committed intake transaction (late completions, metrics). */
    public interface IntakeListener {
        void afterCommit(int tasks, int items, int readyBatches);

        IntakeListener NONE = (tasks, items, ready) -> {};
    }

    /** The topics read: production names by default; tests use unique ones. */
    public record IntakeTopics(String accepted, String items, String jobs) {
        public static final IntakeTopics PRODUCTION =
                new IntakeTopics(Topics.TASK_ACCEPTED.name(), Topics.BATCH_ITEMS.name(), Topics.JOBS.name());
    }

    public EventIntake(Consumer<byte[], byte[]> consumer, Db db, IntakeStore store, TaskCompletion completion,
            InstantSource clock, IntakeListener listener, IntakeTopics topics) {
        this.acceptedTopic = topics.accepted();
        this.itemsTopic = topics.items();
        this.jobsTopic = topics.jobs();
        this.completion = completion;
        this.consumer = consumer;
        this.db = db;
        this.store = store;
        this.clock = clock;
        this.listener = listener;
    }

    public void subscribe() {
        consumer.subscribe(List.of(acceptedTopic, itemsTopic, jobsTopic));
    }

    /** Polls once, writes what came in one transaction, then commits the offsets. Returns records read. */
    public int pollOnce(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
        if (records.isEmpty()) {
            return 0;
        }
        Parsed parsed = parse(records);
        Instant now = clock.instant();
        int ready;
        try {
            ready = db.inTransaction(c -> {
                store.writeAccepted(c, parsed.accepted);
                store.writeJobs(c, parsed.sealed);
                // a task whose request is settled, or settling now (a late duplicate), completes at once
                completion.forArrivals(c, parsed.accepted.stream().map(TaskAccepted::requestId).toList(), now);
                store.writeItems(c, parsed.items, now);
                store.writeMarkers(c, parsed.markers, now);
                IntakeRejects.write(c, parsed.rejects, now);
                return store.markReady(c, parsed.touchedBatches, now);
            });
        } catch (RuntimeException e) {
            rewind(records);
            throw e;
        }
        consumer.commitSync(nextOffsets(records));
        listener.afterCommit(parsed.accepted.size(), parsed.items.size(), ready);
        return records.count();
    }

    private Parsed parse(ConsumerRecords<byte[], byte[]> records) {
        Parsed parsed = new Parsed();
        EventSerde<TaskAccepted> acceptedSerde = EventSerde.of(TaskAccepted.class);
        EventSerde<BatchRecord> batchSerde = EventSerde.of(BatchRecord.class);
        EventSerde<JobSealed> sealedSerde = EventSerde.of(JobSealed.class);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                if (r.topic().equals(acceptedTopic)) {
                    parsed.accepted.add(acceptedSerde.parse(r.value()));
                } else if (r.topic().equals(jobsTopic)) {
                    parsed.sealed.add(sealedSerde.parse(r.value()));
                } else {
                    switch (batchSerde.parse(r.value())) {
                        case BatchItem item -> {
                            parsed.items.add(item);
                            parsed.touchedBatches.add(item.batchId());
                        }
                        case BatchClosed marker -> {
                            parsed.markers.add(marker);
                            parsed.touchedBatches.add(marker.batchId());
                        }
                    }
                }
            } catch (SerializationException | NullPointerException e) {
                log.error("cannot read {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
                parsed.rejects.add(new IntakeRejects.Reject(r.topic(), r.partition(), r.offset(),
                        String.valueOf(e.getMessage()), r.value()));
            }
        }
        return parsed;
    }

    /** After a failed write, go back to the first record of this poll so nothing is skipped. */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private static final class Parsed {
        final List<TaskAccepted> accepted = new ArrayList<>();
        final List<BatchItem> items = new ArrayList<>();
        final List<BatchClosed> markers = new ArrayList<>();
        final List<JobSealed> sealed = new ArrayList<>();
        final List<IntakeRejects.Reject> rejects = new ArrayList<>();
        final Set<String> touchedBatches = new LinkedHashSet<>();
    }
}
