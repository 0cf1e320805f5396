package dev.offpeak.result.events;

import dev.offpeak.result.db.Db;
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
    private final CrashPoint crashPoint;

    /** Lets a test stop the relay dead after some sends, before it marks anything sent. */
    @FunctionalInterface
    public interface CrashPoint {
        void afterSend(int sent);

        CrashPoint NONE = sent -> {};
    }

    public OutboxRelay(Db db, Producer<String, byte[]> producer, InstantSource clock, int batchSize) {
        this(db, producer, clock, batchSize, CrashPoint.NONE);
    }

    public OutboxRelay(Db db, Producer<String, byte[]> producer, InstantSource clock, int batchSize,
            CrashPoint crashPoint) {
        this.db = db;
        this.producer = producer;
        this.clock = clock;
        this.batchSize = batchSize;
        this.crashPoint = crashPoint;
    }

    private record Row(long id, String topic, String key, String payload) {}

    /** Publishes up to one batch of unsent events; returns how many. */
    public int relayOnce() {
        return db.inTransaction(c -> {
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, topic, key, payload::text FROM outbox WHERE sent_at IS NULL
                     ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED""")) {
                ps.setInt(1, batchSize);
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
