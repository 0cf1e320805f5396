package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.emulator.Provider;
import dev.offpeak.result.PipelineFixture.Batch;
import dev.offpeak.result.completion.JobCompleter;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.events.TaskCompleted;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.EventTypes;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.validation.SchemaValidator;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Terminal statuses, completion events, retries and jobs, against real Kafka and Postgres. */
@RealKafka
@RealPostgres
class CompletionEventsIT {
    @TempDir
    Path temp;

    @Test
    void originalsDuplicatesAndLateDuplicatesEachGetOneTerminalStatusAndOneValidEvent(KafkaCluster kafka,
            DataSource ds) throws IOException {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            Batch batch = PipelineFixture.batch("b-events", PipelineFixture.OPENAI, 5, 2, h.clock.instant());
            h.publish(batch);
            h.intakeUntil(7, 1);
            h.runUntilQuiet(60);
            // a duplicate of an already settled request arrives late: it completes at once from the stored result
            TaskAccepted late = PipelineFixture.duplicateOf(batch.originals().get(1), "late-dup", h.clock.instant());
            kafka.produce(h.acceptedTopic, List.of(Map.entry(late.taskId(), Json.write(late))));
            h.intakeUntil(8, 1);

            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(8);
            // the seven tasks settlement ended are announced by their batch's row, the late duplicate by its own
            assertThat(h.count("SELECT count(*) FROM outbox WHERE kind = 'batch'")).isEqualTo(1);
            assertThat(h.count("SELECT count(*) FROM outbox WHERE kind = 'task'")).isEqualTo(1);
            assertThat(eventIds(h)).hasSize(8).doesNotHaveDuplicates();
            for (String payload : h.pendingEvents()) {
                JsonNode event = Json.mapper().readTree(payload);
                assertThat(SchemaValidator.get().validate(EventTypes.TASK_COMPLETED, event)).as(payload).isEmpty();
                TaskCompleted parsed = EventSerde.of(TaskCompleted.class).convert(event);
                assertThat(parsed.savedUsd()).isPositive();
            }
            JsonNode lateEvent = h.pendingEvents().stream().map(CompletionEventsIT::tree)
                    .filter(e -> e.get("task_id").asText().equals("late-dup")).findFirst().orElseThrow();
            assertThat(lateEvent.get("response").isObject()).as("the stored answer, inline").isTrue();
            assertThat(lateEvent.get("duplicate").asBoolean()).isTrue();
            assertThat(new BigDecimal(lateEvent.get("cost_usd").asText())).isZero();
        }
    }

    @Test
    void duplicateAcceptedAtTheMomentItsRequestSettlesStillGetsExactlyOneStatusAndEvent(KafkaCluster kafka,
            DataSource ds) throws Exception {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            Batch batch = PipelineFixture.batch("b-race", PipelineFixture.ANTHROPIC, 20, 0, h.clock.instant());
            h.publish(batch);
            h.intakeUntil(20, 1);
            h.parts.submitter().submitOnce();
            assertThat(h.text("SELECT state || ' ' || coalesce(last_error, '') FROM batches"))
                    .as("the batch is with the provider").startsWith("in_flight");
            h.clock.advance(Duration.ofMinutes(30));
            // duplicates of every request, consumed while the batch settles
            for (PipelineFixture.Task t : batch.originals()) {
                TaskAccepted dup = PipelineFixture.duplicateOf(t, "race-" + t.submitted().taskId(), h.clock.instant());
                kafka.produce(h.acceptedTopic, List.of(Map.entry(dup.taskId(), Json.write(dup))));
            }
            CyclicBarrier start = new CyclicBarrier(2);
            CompletableFuture<Void> settle = CompletableFuture.runAsync(() -> {
                await(start);
                // normally one round settles it; a round the machine's load turned into a retry
                // (a timed-out call) is followed by another, so the check below is about the race
                for (int round = 0; round < 5 && !settled(h); round++) {
                    h.parts.poller().pollOnce();
                    h.clock.advance(Duration.ofMinutes(5));
                }
            });
            await(start);
            h.intakeUntil(40, 1);
            settle.get();
            // no check of settled batches: a duplicate accepted while its request settled ends at once
            assertThat(h.text("SELECT state || ' ' || coalesce(last_error, '') FROM batches"))
                    .as("the batch settled").startsWith("settled");
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(40);
            assertThat(eventIds(h)).hasSize(40).doesNotHaveDuplicates();
        }
    }

    @Test
    void retriesResendOnlyTheLinesThatDidNotSucceedAndStopAtTheLimit(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE,
                new Retries(3, Duration.ZERO))) {
            // attempt 1: 3 of 6 lines finish, the rest expire; attempt 2: 1 of 3 finishes; attempt 3: none
            h.emulator.faults().expireNextBatchAfterLines(Provider.OPENAI, 3);
            h.emulator.faults().expireNextBatchAfterLines(Provider.OPENAI, 1);
            h.emulator.faults().expireNextBatchAfterLines(Provider.OPENAI, 0);
            h.publish(PipelineFixture.batch("b-retry", PipelineFixture.OPENAI, 6, 1, h.clock.instant()));
            h.intakeUntil(7, 1);
            h.runUntilQuiet(60 * 200);

            assertThat(h.emulator.counters().batchesCreated(Provider.OPENAI)).isEqualTo(3);
            assertThat(h.db.query("SELECT expected_count FROM batches ORDER BY created_at, batch_id",
                    rs -> rs.getLong(1))).containsExactly(6L, 3L, 2L);
            assertThat(h.count("SELECT count(*) FROM results WHERE status = 'succeeded'")).isEqualTo(4);
            // a request that succeeded was never sent again
            assertThat(h.count("""
                    SELECT count(*) FROM results r JOIN results s ON s.request_id = r.request_id
                     WHERE s.status = 'succeeded' AND r.attempt > s.attempt""")).isZero();
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'succeeded'")).isEqualTo(5);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'expired'")).isEqualTo(2);
            assertThat(eventIds(h)).hasSize(7).doesNotHaveDuplicates();
            assertThat(h.count("SELECT max(attempt) FROM results")).isEqualTo(3);
        }
    }

    @Test
    void aLinePastItsTasksDeadlineIsNotRetriedAndItsTasksExpire(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE,
                new Retries(3, Duration.ZERO))) {
            h.emulator.faults().expireNextBatchAfterLines(Provider.GEMINI, 0);
            Batch batch = PipelineFixture.batch("b-deadline", PipelineFixture.GEMINI, 2, 0, h.clock.instant());
            // both tasks must be done within 20 seconds; the batch ends (expired) after that
            List<TaskAccepted> withDeadline = batch.accepted().stream().map(a -> new TaskAccepted(a.taskId(),
                    a.tenant(), a.jobId(), a.requestId(), a.provider(), a.model(), a.endpoint(), a.lane(),
                    a.duplicate(), a.originalTaskId(), a.estimatedInputTokens(), a.estimatedCostUsd(), a.metadata(),
                    h.clock.instant().plus(Duration.ofSeconds(20)), a.submittedAt(), a.acceptedAt())).toList();
            h.publish(new Batch(batch.batchId(), batch.lane(), batch.originals(), withDeadline, batch.records()));
            h.intakeUntil(2, 1);
            h.runUntilQuiet(60 * 60);
            assertThat(h.emulator.counters().batchesCreated(Provider.GEMINI)).isEqualTo(1);
            assertThat(h.count("SELECT count(*) FROM tasks WHERE status = 'expired'")).isEqualTo(2);
            assertThat(h.count("SELECT count(*) FROM batches")).isEqualTo(1);
        }
    }

    @Test
    void sealedJobCompletesOnceWithItsTotals(KafkaCluster kafka, DataSource ds) throws IOException {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            JobCompleter jobs = new JobCompleter(h.db, h.clock);
            h.publish(PipelineFixture.batch("b-job", PipelineFixture.GEMINI, 4, 2, h.clock.instant()));
            kafka.produce(h.jobsTopic, List.of(Map.entry("job-1",
                    Json.write(new JobSealed("job-1", "acme", 6L, h.clock.instant())))));
            h.intakeUntil(6, 1);
            assertThat(jobs.completeOnce()).as("tasks are still open").isZero();
            h.runUntilQuiet(60);
            assertThat(jobs.completeOnce()).isEqualTo(1);
            assertThat(jobs.completeOnce()).isZero();
            JsonNode event = Json.mapper().readTree(h.text(
                    "SELECT payload::text FROM outbox WHERE topic = 'offpeak.job-completed'"));
            assertThat(SchemaValidator.get().validate(EventTypes.JOB_COMPLETED, event)).isEmpty();
            assertThat(event.get("tasks").asInt()).isEqualTo(6);
            assertThat(event.get("succeeded").asInt()).isEqualTo(6);
            assertThat(event.get("duplicates").asInt()).isEqualTo(2);
            BigDecimal cost = h.db.queryOne("SELECT sum(cost_usd) FROM tasks", rs -> rs.getBigDecimal(1)).orElseThrow();
            assertThat(new BigDecimal(event.get("cost_usd").asText())).isEqualByComparingTo(cost);
            assertThat(h.count("SELECT count(*) FROM outbox WHERE topic = 'offpeak.job-completed'")).isEqualTo(1);
        }
    }

    private static boolean settled(MoneyPathHarness h) {
        return h.count("SELECT count(*) FROM batches WHERE state = 'settled'") > 0;
    }

    /** The event_id of every event the relay would publish, one entry per publication. */
    private static List<String> eventIds(MoneyPathHarness h) {
        return h.pendingEvents().stream().map(e -> tree(e).get("event_id").asText()).toList();
    }

    private static JsonNode tree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
