package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.completion.OutboxRelay;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
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

    @Test
    void relayKilledHalfWayThroughASettledBatchRepublishesItsTasksWithTheSameEventsAndAnnouncesEachTaskOnce(
            KafkaCluster kafka, DataSource ds) throws Exception {
        String topic = kafka.createUniqueTopic("completed", 2);
        Db db = new Db(ds);
        Instant now = Instant.parse("2026-11-23T00:00:00Z");
        db.update("""
                INSERT INTO batches (batch_id, lane, provider, endpoint, model, state, provider_batch_id, created_at,
                                     updated_at)
                VALUES ('b-relay', 'lane', 'openai', '/v1/chat/completions', 'gpt-4o-mini', 'settled', 'batch_1', ?, ?)""",
                now, now);
        // 30 tasks ended by the batch's settlement, announced by its row; one ended later from the same
        // result (a late duplicate), announced by a row of its own
        for (int i = 0; i <= 30; i++) {
            db.update("""
                    INSERT INTO tasks (tenant, task_id, request_id, provider, model, endpoint, lane, duplicate,
                                       estimated_input_tokens, estimated_cost_usd, accepted_at, status, result_batch_id,
                                       cost_usd, sync_cost_usd, saved_usd, completed_at, announced_by_batch)
                    VALUES ('acme', ?, ?, 'openai', 'gpt-4o-mini', '/v1/chat/completions', 'lane', ?, 10, 0.00001, ?,
                            'succeeded', 'b-relay', 0.0001, 0.0002, 0.0001, ?, ?)""",
                    "t" + i, "r" + i, i == 30, now, now, i < 30);
            db.update("""
                    INSERT INTO results (request_id, batch_id, attempt, status, http_status, retryable, input_tokens,
                                         cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens,
                                         reasoning_tokens, cost_usd, sync_cost_usd, settled_at)
                    VALUES (?, 'b-relay', 1, 'succeeded', 200, false, 100, 0, 0, 0, 10, 0, 0.0001, 0.0002, ?)""",
                    "r" + i, now);
        }
        db.update("""
                INSERT INTO outbox (event_id, topic, key, payload, created_at, kind)
                VALUES ('tcb-b-relay', ?, 'b-relay', '{"batch_id": "b-relay"}', ?, 'batch'),
                       ('tc-acme-t30', ?, 't30', '{"tenant": "acme", "task_id": "t30"}', ?, 'task')""",
                topic, now, topic, now);
        try (KafkaProducer<String, byte[]> real = new KafkaProducer<>(kafka.producerProperties(), new StringSerializer(),
                new ByteArraySerializer())) {
            OutboxRelay.CrashPoint dieAfter12 = sentSoFar -> {
                if (sentSoFar == 12) {
                    real.flush(); // twelve of the batch's events reached the broker; the process dies before marking
                    throw new IllegalStateException("relay process died");
                }
            };
            assertThatThrownBy(() -> new OutboxRelay(db, real, InstantSource.fixed(now), 10, 65_536, dieAfter12).relayOnce())
                    .isInstanceOf(IllegalStateException.class);
            assertThat(db.queryOne("SELECT count(*) FROM outbox WHERE sent_at IS NULL", rs -> rs.getLong(1)).orElseThrow())
                    .isEqualTo(2);
            OutboxRelay restarted = new OutboxRelay(db, real, InstantSource.fixed(now), 10, 65_536,
                    OutboxRelay.CrashPoint.NONE);
            assertThat(restarted.relayOnce()).isEqualTo(31);
            assertThat(restarted.relayOnce()).isZero();
        }
        assertThat(db.queryOne("SELECT count(*) FROM outbox WHERE sent_at IS NULL", rs -> rs.getLong(1)).orElseThrow())
                .isZero();
        List<ConsumerRecord<String, String>> published = kafka.readCommitted(topic, 43, Duration.ofSeconds(30));
        assertThat(published).hasSize(43); // the 12 sent before the crash arrive twice
        Map<String, Set<String>> eventsByTask = published.stream().collect(Collectors.groupingBy(ConsumerRecord::key,
                Collectors.mapping(ConsumerRecord::value, Collectors.toSet())));
        assertThat(eventsByTask).hasSize(31);
        for (var task : eventsByTask.entrySet()) {
            assertThat(task.getValue()).as("every publication of " + task.getKey() + " is the same event").hasSize(1);
            JsonNode event = Json.mapper().readTree(task.getValue().iterator().next());
            assertThat(event.get("event_id").asText()).isEqualTo("tc-acme-" + task.getKey());
            assertThat(event.get("batch_id").asText()).isEqualTo("b-relay");
            assertThat(event.get("provider_batch_id").asText()).isEqualTo("batch_1");
        }
    }
}
