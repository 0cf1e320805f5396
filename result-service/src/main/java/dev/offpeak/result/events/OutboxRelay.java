package dev.offpeak.result.events;

import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes outbox rows and marks them sent, in order, at least once: rows are claimed with
 * {@code FOR UPDATE SKIP LOCKED}, sent, every send acknowledged ({@code acks=all}), and only then
 * marked in the same transaction. A crash after sending and before the commit re-sends the same
 * events with the same {@code event_id}; consumers dedup by it.
 */
public final class OutboxRelay {
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

    private record Row(long id, String topic, String key, String payload) {}

    /** The events of unsent outbox rows as they would be published, oldest first (for operators and tests). */
    public static List<String> peek(Db db, int inlineResponseBytes, int limit) {
        return db.query("""
                SELECT CASE WHEN o.topic = ? THEN %s ELSE o.payload::text END
                  FROM outbox o WHERE o.sent_at IS NULL ORDER BY o.id LIMIT ?""".formatted(TaskCompletedEvent.COMPOSE),
                rs -> rs.getString(1), Topics.TASK_COMPLETED.name(), inlineResponseBytes, inlineResponseBytes, limit);
    }

    /** Publishes up to one batch of unsent events; returns how many. */
    public int relayOnce() {
        return db.inTransaction(c -> {
            List<Row> rows = new ArrayList<>();
            // task.completed rows name their task; the event is composed from it here
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT o.id, o.topic, o.key,
                           CASE WHEN o.topic = ? THEN %s ELSE o.payload::text END
                      FROM outbox o
                     WHERE o.sent_at IS NULL
                     ORDER BY o.id LIMIT ? FOR UPDATE OF o SKIP LOCKED""".formatted(TaskCompletedEvent.COMPOSE))) {
                ps.setString(1, Topics.TASK_COMPLETED.name());
                ps.setInt(2, inlineResponseBytes);
                ps.setInt(3, inlineResponseBytes);
                ps.setInt(4, batchSize);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            if (rows.isEmpty()) {
                return 0;
            }
            List<Future<RecordMetadata>> sends = new ArrayList<>(rows.size());
            for (Row row : rows) {
                sends.add(producer.send(new ProducerRecord<>(row.topic(), row.key(),
                        row.payload().getBytes(StandardCharsets.UTF_8))));
                crashPoint.afterSend(sends.size());
            }
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
            return rows.size();
        });
    }
}
