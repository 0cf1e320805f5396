package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.events.OutboxRelay;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The relay publishes every outbox row at least once, also when it dies in the middle of a batch. */
@RealKafka
@RealPostgres
class OutboxRelayIT {

    @Test
    void relayKilledMidPublishLosesNothingAndRepublishesWithTheSameEventIds(KafkaCluster kafka, DataSource ds) {
        String topic = kafka.createUniqueTopic("completed", 2);
        Db db = new Db(ds);
        Instant now = Instant.parse("2026-11-23T00:00:00Z");
        for (int i = 0; i < 50; i++) {
            db.update("INSERT INTO outbox (event_id, topic, key, payload, created_at) VALUES (?, ?, ?, ?::jsonb, ?)",
                    "tc-acme-t" + i, topic, "t" + i, "{\"event_id\":\"tc-acme-t" + i + "\"}", now);
        }
        try (KafkaProducer<String, byte[]> real = new KafkaProducer<>(kafka.producerProperties(), new StringSerializer(),
                new ByteArraySerializer())) {
            // the first relay dies after its 20th send, before it can mark anything sent
            OutboxRelay.CrashPoint dieAfter20 = sentSoFar -> {
                if (sentSoFar == 20) {
                    real.flush(); // what was sent reached the broker; the process dies before marking it
                    throw new IllegalStateException("relay process died");
                }
            };
            assertThatThrownBy(() -> new OutboxRelay(db, real, InstantSource.fixed(now), 30, 65_536, dieAfter20).relayOnce())
                    .isInstanceOf(IllegalStateException.class);
            assertThat(db.queryOne("SELECT count(*) FROM outbox WHERE sent_at IS NULL", rs -> rs.getLong(1)).orElseThrow())
                    .isEqualTo(50);
            OutboxRelay restarted = new OutboxRelay(db, real, InstantSource.fixed(now), 30, 65_536,
                    OutboxRelay.CrashPoint.NONE);
            int sent = 0;
            for (int round; (round = restarted.relayOnce()) > 0;) {
                sent += round;
            }
            assertThat(sent).isEqualTo(50);
        }
        assertThat(db.queryOne("SELECT count(*) FROM outbox WHERE sent_at IS NULL", rs -> rs.getLong(1)).orElseThrow())
                .isZero();
        List<ConsumerRecord<String, String>> published = kafka.readCommitted(topic, 70, Duration.ofSeconds(30));
        Set<String> keys = published.stream().map(ConsumerRecord::key).collect(Collectors.toSet());
        assertThat(keys).hasSize(50);
        assertThat(published).hasSize(70); // the 20 sent before the crash arrive twice: at least once, dedup by event_id
    }
}
