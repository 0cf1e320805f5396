package dev.offpeak.result.events;

import dev.offpeak.result.db.Db;
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

    /** A claimed row; {@code batchId} is set for rows of kind {@code batch}. */
    private record Row(long id, String kind, String topic, String key, String payload, String batchId) {}

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
            eachEvent(c, unsent(c, limit, false), inlineResponseBytes, (topic, key, event) -> {
                events.add(event);
                return events.size() < limit;
            });
            return events;
        });
    }

    /** Publishes the events of up to one batch of unsent rows; returns how many events. */
    public int relayOnce() {
        return db.inTransaction(c -> {
            List<Row> rows = unsent(c, batchSize, true);
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
            Db.update(c, "UPDATE outbox SET sent_at = ? WHERE id = ANY (?)", clock.instant(),
                    rows.stream().map(Row::id).toArray(Long[]::new));
            return sends.size();
        });
    }

    private static List<Row> unsent(Connection c, int limit, boolean claim) throws SQLException {
        return Db.query(c, """
                SELECT o.id, o.kind, o.topic, o.key, o.payload::text, o.payload ->> 'batch_id'
                  FROM outbox o
                 WHERE o.sent_at IS NULL
                 ORDER BY o.id LIMIT ?""" + (claim ? " FOR UPDATE SKIP LOCKED" : ""),
                rs -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6)),
                limit);
    }

    /** Hands the events of {@code rows} to {@code sink}, in row order. */
    private static void eachEvent(Connection c, List<Row> rows, int inlineResponseBytes, EventSink sink)
            throws SQLException {
        Map<Long, String> taskEvents = taskEvents(c, rows, inlineResponseBytes);
        for (Row row : rows) {
            boolean more = switch (row.kind()) {
                case "event" -> sink.accept(row.topic(), row.key(), row.payload());
                case "task" -> sink.accept(row.topic(), row.key(), taskEvents.get(row.id()));
                case "batch" -> batchEvents(c, row, inlineResponseBytes, sink);
                default -> throw new IllegalStateException("outbox row " + row.id() + " has unknown kind " + row.kind());
            };
            if (!more) {
                return;
            }
        }
    }

    /** The events of the rows that name one task, composed in one query: outbox id → event. */
    private static Map<Long, String> taskEvents(Connection c, List<Row> rows, int inlineResponseBytes)
            throws SQLException {
        Long[] ids = rows.stream().filter(r -> r.kind().equals("task")).map(Row::id).toArray(Long[]::new);
        Map<Long, String> events = new HashMap<>();
        if (ids.length == 0) {
            return events;
        }
        for (var event : Db.query(c, """
                SELECT o.id, %s
                  FROM outbox o
                  JOIN tasks t ON t.tenant = o.payload ->> 'tenant' AND t.task_id = o.payload ->> 'task_id'
                  %s
                 WHERE o.id = ANY (?)""".formatted(TaskCompletedEvent.EVENT, TaskCompletedEvent.JOINS),
                rs -> Map.entry(rs.getLong(1), rs.getString(2)), inlineResponseBytes, inlineResponseBytes, ids)) {
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
                SELECT t.task_id, %s
                  FROM results fr
                  JOIN tasks t ON t.request_id = fr.request_id AND t.result_batch_id = fr.batch_id
                               AND t.announced_by_batch
                  %s
                 WHERE fr.batch_id = ? AND fr.final""".formatted(TaskCompletedEvent.EVENT,
                TaskCompletedEvent.JOINS))) {
            ps.setFetchSize(FETCH_SIZE);
            ps.setInt(1, inlineResponseBytes);
            ps.setInt(2, inlineResponseBytes);
            ps.setString(3, row.batchId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!sink.accept(row.topic(), rs.getString(1), rs.getString(2))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
