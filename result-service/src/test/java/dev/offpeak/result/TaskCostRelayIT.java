package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.result.completion.OutboxRelay;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.metrics.ResultMetrics;
import dev.offpeak.result.metrics.TaskCostHistogram;
import dev.offpeak.result.metrics.TaskCostProducer;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.RealPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The per-task cost distribution is fed by the real outbox relay: each terminal task's task.completed,
 * composed from its rows, is recorded once when published, tagged by tenant, model and
 * metadata.feature; a task that cost nothing and a job.completed are not; a relay round with nothing
 * left to send records nothing more.
 */
@RealPostgres
class TaskCostRelayIT {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void eachPaidTaskIsRecordedOnceWhenTheRelayPublishesItsTaskCompleted(DataSource ds) {
        Db db = new Db(ds);
        task(db, "acme", "t-1", "gpt-4o-mini", "0.0042", "{\"feature\": \"reviews\", \"team\": \"x\"}");
        task(db, "acme", "t-2", "gpt-4o-mini", "0.0008", "{\"feature\": \"reviews\"}");
        task(db, "acme", "t-3", "gpt-4o-mini", "0.0100", "{}");
        task(db, "acme", "t-dup", "gpt-4o-mini", "0", "{\"feature\": \"reviews\"}");
        task(db, "globex", "t-1", "gpt-4o", "0.25", "{\"feature\": \"summaries\"}");
        db.update("""
                INSERT INTO outbox (event_id, topic, key, payload, created_at, kind)
                VALUES ('jc-acme-job-1', ?, 'job-1', '{"type": "job.completed", "tenant": "acme"}'::jsonb, ?, 'event')""",
                Topics.JOB_COMPLETED.name(), NOW);

        ResultMetrics metrics = new ResultMetrics(new SimpleMeterRegistry());
        MockProducer<String, byte[]> broker = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());
        OutboxRelay relay = new OutboxRelay(db, new TaskCostProducer(broker, metrics),
                InstantSource.fixed(NOW), 100, 65_536, OutboxRelay.CrashPoint.NONE);
        assertThat(relay.relayOnce()).isEqualTo(6);
        assertThat(relay.relayOnce()).isZero();

        TaskCostHistogram costs = metrics.taskCosts();
        assertThat(costs.count("acme", "gpt-4o-mini", "reviews")).as("t-1 and t-2; the free duplicate is not a task that paid")
                .isEqualTo(2);
        assertThat(costs.sum("acme", "gpt-4o-mini", "reviews")).isCloseTo(0.005, Offset.offset(1e-12));
        assertThat(costs.count("acme", "gpt-4o-mini", ResultMetrics.NO_FEATURE)).isEqualTo(1);
        assertThat(costs.features("acme")).containsExactly(ResultMetrics.NO_FEATURE, "reviews");
        assertThat(costs.count("globex", "gpt-4o", "summaries")).isEqualTo(1);
        assertThat(costs.sum("globex", "gpt-4o", "summaries")).isEqualTo(0.25);
        assertThat(broker.history()).hasSize(6);
    }

    /** A succeeded task and the outbox row (kind task) that announces it. */
    private static void task(Db db, String tenant, String taskId, String model, String cost, String metadata) {
        db.update("""
                INSERT INTO tasks (tenant, task_id, job_id, request_id, provider, model, endpoint, lane, duplicate,
                                   estimated_input_tokens, estimated_cost_usd, metadata, submitted_at, accepted_at,
                                   status, cost_usd, sync_cost_usd, saved_usd, completed_at)
                VALUES (?, ?, 'job-1', ?, 'openai', ?, '/v1/chat/completions', 'openai/' || ?, false, 10, 0.01,
                        ?::jsonb, ?, ?, 'succeeded', ?::numeric, ?::numeric * 2, ?::numeric, ?)""",
                tenant, taskId, "r-" + tenant + "-" + taskId, model, model, metadata, NOW, NOW, cost, cost, cost, NOW);
        db.update("""
                INSERT INTO outbox (event_id, topic, key, payload, created_at, kind)
                VALUES (?, ?, ?, jsonb_build_object('tenant', ?::text, 'task_id', ?::text), ?, 'task')""",
                "tc-" + tenant + "-" + taskId, Topics.TASK_COMPLETED.name(), taskId, tenant, taskId, NOW);
    }
}
