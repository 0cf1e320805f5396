package dev.offpeak.result.completion;

import dev.offpeak.result.completion.OutboxStore.Row;
import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes outbox rows and marks them sent, in order, at least once: rows are claimed with
 * {@code FOR UPDATE SKIP LOCKED}, their events sent, every send acknowledged ({@code acks=all}), and
 * only then the rows marked in the same transaction. A crash after sending and before the commit
 * re-sends the same events with the same {@code event_id}; consumers dedup by it.
 *
 * <p>A row is one event ({@code kind = 'event'}), names one task whose {@code task.completed} is
 * composed here ({@code 'task'}), or names a settled batch ({@code 'batch'}): then it stands for the
 * {@code task.completed} of every task that settlement ended, which are streamed from the database
 * and sent one by one; the row is marked sent only when all of them are acknowledged.
 */
public final class OutboxRelay {
    /** Events of a batch's row are read from the database this many at a time. */
    private static final int FETCH_SIZE = 1000;

    private final Db db;
    private final Producer<String, byte[]> producer;
    private final InstantSource clock;
    private final int batchSize;
    private final int inlineResponseBytes;
    private final CrashPoint crashPoint;

    /** Lets a test stop the relay dead after some sends, before it marks anything sent. */
    @FunctionalInterface
    public interface CrashPoint {
        void afterSend(int sent);

        CrashPoint NONE = sent -> {};
    }

    /**
     * @param batchSize           outbox rows claimed per round (a batch's row counts as one)
     * @param inlineResponseBytes provider bodies larger than this are referenced, not inlined
     */
    public OutboxRelay(Db db, Producer<String, byte[]> producer, InstantSource clock, int batchSize,
            int inlineResponseBytes, CrashPoint crashPoint) {
        this.db = db;
        this.producer = producer;
        this.clock = clock;
        this.batchSize = batchSize;
        this.inlineResponseBytes = inlineResponseBytes;
        this.crashPoint = crashPoint;
    }

    /** Where the events of claimed rows go, in order. */
    @FunctionalInterface
    private interface EventSink {
        /** Returns false to stop early. */
        boolean accept(String topic, String key, String event);
    }

    /** The events of unsent outbox rows as they would be published, oldest first (for operators and tests). */
    public static List<String> peek(Db db, int inlineResponseBytes, int limit) {
        return db.inTransaction(c -> {
            List<String> events = new ArrayList<>();
            eachEvent(c, OutboxStore.unsent(c, limit, false), inlineResponseBytes, (topic, key, event) -> {
                events.add(event);
                return events.size() < limit;
            });
            return events;
        });
    }

    /** Publishes the events of up to one batch of unsent rows; returns how many events. */
    public int relayOnce() {
        return db.inTransaction(c -> {
            List<Row> rows = OutboxStore.unsent(c, batchSize, true);
            if (rows.isEmpty()) {
                return 0;
            }
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            eachEvent(c, rows, inlineResponseBytes, (topic, key, event) -> {
                sends.add(producer.send(new ProducerRecord<>(topic, key, event.getBytes(StandardCharsets.UTF_8))));
                crashPoint.afterSend(sends.size());
                return true;
            });
            for (Future<RecordMetadata> send : sends) {
                try {
                    send.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while publishing events", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("publishing events failed; they stay in the outbox", e.getCause());
                }
            }
            OutboxStore.markSent(c, rows, clock.instant());
            return sends.size();
        });
    }

    /** Hands the events of {@code rows} to {@code sink}, in row order. */
    private static void eachEvent(Connection c, List<Row> rows, int inlineResponseBytes, EventSink sink)
            throws SQLException {
        Map<Long, String> taskEvents = taskEvents(c, rows, inlineResponseBytes);
        for (Row row : rows) {
            boolean more = switch (row.kind()) {
                case EVENT -> sink.accept(row.topic(), row.key(), row.payload());
                case TASK -> sink.accept(row.topic(), row.key(), taskEvents.get(row.id()));
                case BATCH -> batchEvents(c, row, inlineResponseBytes, sink);
            };
            if (!more) {
                return;
            }
        }
    }

    private static String event(ResultSet rs, int inlineResponseBytes) throws SQLException {
        return Json.write(TaskCompletedEvents.read(rs, inlineResponseBytes));
    }

    /** The events of the rows that name one task, composed in one query: outbox id → event. */
    private static Map<Long, String> taskEvents(Connection c, List<Row> rows, int inlineResponseBytes)
            throws SQLException {
        Long[] ids = rows.stream().filter(r -> r.kind() == OutboxStore.Kind.TASK).map(Row::id).toArray(Long[]::new);
        Map<Long, String> events = new HashMap<>();
        if (ids.length == 0) {
            return events;
        }
        for (var event : Db.query(c, """
                SELECT o.id, %s
                  FROM outbox o
                  JOIN tasks t ON t.tenant = o.payload ->> 'tenant' AND t.task_id = o.payload ->> 'task_id'
                  %s
                 WHERE o.id = ANY (?)""".formatted(TaskCompletedEvents.COLUMNS, TaskCompletedEvents.JOINS),
                rs -> Map.entry(rs.getLong(1), event(rs, inlineResponseBytes)), (Object) ids)) {
            events.put(event.getKey(), event.getValue());
        }
        return events;
    }

    /**
     * Streams the events of the tasks a settled batch's row announces (from the batch's final results
     * to their tasks); returns false when the sink stopped.
     */
    private static boolean batchEvents(Connection c, Row row, int inlineResponseBytes, EventSink sink)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT %s
                  FROM results fr
                  JOIN tasks t ON t.request_id = fr.request_id AND t.result_batch_id = fr.batch_id
                               AND t.announced_by_batch
                  %s
                 WHERE fr.batch_id = ? AND fr.final""".formatted(TaskCompletedEvents.COLUMNS,
                TaskCompletedEvents.JOINS))) {
            ps.setFetchSize(FETCH_SIZE);
            ps.setString(1, row.batchId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!sink.accept(row.topic(), rs.getString("task_id"), event(rs, inlineResponseBytes))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
