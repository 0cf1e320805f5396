package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.result.completion.OutboxRelay;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.intake.EventIntake;
import dev.offpeak.result.store.IntakeStore;
import dev.offpeak.schemas.events.TaskAccepted;
import java.math.BigDecimal;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import dev.offpeak.result.provider.ResultLine;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.result.settle.Pricing;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.settle.Settlement;
import dev.offpeak.result.completion.TaskCompletion;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.result.store.PipelineState;
import dev.offpeak.result.store.PriceStore;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.Mode;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The tasks of a settled batch end in a transaction beside the settlement's, committed after it:
 * with the right payer and costs across several chunks, never when the settlement fails, with a
 * duplicate accepted while the settlement runs, and, when the ending is lost between the two
 * commits, exactly once by the check of settled batches.
 */
@RealKafka
@RealPostgres
class TaskEndingIT {
    private static final Instant NOW = Instant.parse("2026-11-23T00:00:00Z");
    private static final String BATCH = "b-ending";
    /** More lines than one chunk of the ending (2,000), so several chunks run beside the COPY. */
    private static final int LINES = 4_500;
    /** Every tenth request has a duplicate task of another tenant: it shares the answer and pays nothing. */
    private static final int DUPLICATES = LINES / 10;

    private final ModelRegistry catalog = ModelRegistry.loadDefault();

    @Test
    void everyTaskEndsBesideTheSettlementWithItsPayerAndOneBatchRow(DataSource ds) {
        Db db = seed(ds);
        Settlement.Settled settled = settlement(db, Settlement.CrashPoint.NONE).settle(batch(), null, null,
                this::lines, NOW);

        assertThat(settled.tasksEnded()).isEqualTo(LINES + DUPLICATES);
        assertThat(count(db, "SELECT count(*) FROM tasks WHERE status = 'succeeded' AND announced_by_batch"
                + " AND result_batch_id = '" + BATCH + "'")).isEqualTo(LINES + DUPLICATES);
        // the task that brought each line pays its exact cost; its duplicate pays nothing and saved it all
        assertThat(count(db, """
                SELECT count(*) FROM tasks t JOIN results r ON r.request_id = t.request_id
                 WHERE t.tenant = 'acme' AND t.cost_usd = r.cost_usd AND t.sync_cost_usd = r.sync_cost_usd
                   AND t.saved_usd = r.sync_cost_usd - r.cost_usd AND r.cost_usd > 0""")).isEqualTo(LINES);
        assertThat(count(db, """
                SELECT count(*) FROM tasks t JOIN results r ON r.request_id = t.request_id
                 WHERE t.tenant = 'globex' AND t.cost_usd = 0 AND t.saved_usd = r.sync_cost_usd
                   AND t.duplicate""")).isEqualTo(DUPLICATES);
        assertThat(count(db, "SELECT count(*) FROM outbox WHERE kind = 'batch' AND key = '" + BATCH + "'")).isOne();
        // quotes, commas and line breaks in an answer come through the COPY unchanged
        assertThat(db.queryOne("SELECT response ->> 'content' FROM results WHERE request_id = ?", rs -> rs.getString(1),
                requestId(7))).contains("a \"quoted\", line\n7");
        assertThat(count(db, "SELECT count(*) FROM outbox WHERE kind = 'task'")).isZero();
        // the later check finds nothing left to end and writes nothing
        assertThat(check(db, NOW.plus(TaskCompletion.CHECK_DELAY))).isZero();
        assertThat(count(db, "SELECT count(*) FROM outbox")).isOne();
    }

    @Test
    void aSettlementThatFailsEndsNoTaskEvenAfterChunksRan(DataSource ds) {
        Db db = seed(ds);
        // the download breaks after more than a chunk of lines, once the ending has run an UPDATE
        Consumer<Consumer<ResultLine>> breaking = sink -> {
            for (int i = 0; i < LINES; i++) {
                if (i == 3_000) {
                    awaitEndingOf("t0", ds);
                    throw new IllegalStateException("connection reset while reading the output file");
                }
                sink.accept(line(i));
            }
        };
        assertThatThrownBy(() -> settlement(db, Settlement.CrashPoint.NONE).settle(batch(), null, null, breaking, NOW))
                .hasMessageContaining("connection reset");

        assertThat(count(db, "SELECT count(*) FROM results")).isZero();
        assertThat(count(db, "SELECT count(*) FROM tasks WHERE status = 'accepted'")).isEqualTo(LINES + DUPLICATES);
        assertThat(count(db, "SELECT count(*) FROM outbox")).isZero();
        assertThat(db.queryOne("SELECT state FROM batches WHERE batch_id = ?", rs -> rs.getString(1), BATCH))
                .contains("in_flight");
    }

    @Test
    void aDuplicateAcceptedWhileItsRequestSettlesEndsWithinSecondsOfTheSettlement(KafkaCluster kafka,
            DataSource ds) throws Exception {
        Db db = seed(ds);
        String topic = kafka.createUniqueTopic("accepted", 1);
        TaskAccepted late = new TaskAccepted("late-dup", "initech", null, requestId(0), Provider.OPENAI,
                "gpt-4o-mini", "/v1/chat/completions", "lane", true, "t0", 10, new BigDecimal("0.00001"), Map.of(),
                null, null, NOW);
        kafka.produce(topic, List.of(Map.entry(late.taskId(), Json.write(late))));
        CompletableFuture<Void> intook = new CompletableFuture<>();
        // the interleaving: the ending has run the UPDATE of the first chunk (which holds the late
        // duplicate's request) when the duplicate's intake transaction runs, and the settlement
        // commits only once that transaction has committed or waits for a lock
        Consumer<Consumer<ResultLine>> lines = sink -> {
            for (int i = 0; i < LINES; i++) {
                if (i == 3_000) {
                    awaitEndingOf("t0", ds);
                    CompletableFuture.runAsync(() -> intake(kafka, db, topic)).whenComplete((v, e) -> {
                        if (e == null) {
                            intook.complete(null);
                        } else {
                            intook.completeExceptionally(e);
                        }
                    });
                    awaitDoneOrWaitingOnALock(intook, db);
                }
                sink.accept(line(i));
            }
        };
        settlement(db, Settlement.CrashPoint.NONE).settle(batch(), null, null, lines, NOW);
        long settledAt = System.nanoTime();

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> count(db,
                "SELECT count(*) FROM tasks WHERE task_id = 'late-dup' AND status = 'succeeded'") == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - settledAt)).isLessThan(Duration.ofSeconds(5));
        intook.get();
        // it shares the answer and pays nothing; every task ended once, each announced by one event
        assertThat(count(db, """
                SELECT count(*) FROM tasks t JOIN results r ON r.request_id = t.request_id
                 WHERE t.task_id = 'late-dup' AND t.cost_usd = 0 AND t.saved_usd = r.sync_cost_usd""")).isOne();
        assertThat(count(db, "SELECT count(*) FROM tasks WHERE status = 'accepted'")).isZero();
        List<String> events = OutboxRelay.peek(db, 65_536, 10 * LINES);
        assertThat(events).hasSize(LINES + DUPLICATES + 1).doesNotHaveDuplicates();
        assertThat(events.stream().filter(e -> e.contains("\"task_id\":\"late-dup\""))).hasSize(1);
        assertThat(check(db, NOW.plus(TaskCompletion.CHECK_DELAY))).isZero();
    }

    /** The intake of result-service reads the duplicate's task.accepted and commits it. */
    private static void intake(KafkaCluster kafka, Db db, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                kafka.consumerProperties(kafka.uniqueTopic("group")), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            EventIntake intake = new EventIntake(consumer, db, new IntakeStore(), new TaskCompletion(),
                    InstantSource.fixed(NOW), EventIntake.IntakeListener.NONE,
                    new EventIntake.IntakeTopics(topic, kafka.createUniqueTopic("items", 1),
                            kafka.createUniqueTopic("jobs", 1)));
            intake.subscribe();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (intake.pollOnce(Duration.ofMillis(200)) == 0) {
                assertThat(System.nanoTime()).as("the duplicate never came in").isLessThan(deadline);
            }
        }
    }

    /** Waits until {@code done} completed or a transaction waits for a lock. */
    private static void awaitDoneOrWaitingOnALock(CompletableFuture<Void> done, Db db) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> done.isDone()
                || count(db, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") > 0);
    }

    @Test
    void anEndingLostBetweenTheTwoCommitsIsMadeGoodOnceByTheCheck(DataSource ds) {
        Db db = seed(ds);
        Settlement.CrashPoint dies = batchId -> {
            throw new IllegalStateException("process died after the settlement's commit");
        };
        assertThatThrownBy(() -> settlement(db, dies).settle(batch(), null, null, this::lines, NOW))
                .hasMessageContaining("process died");

        // the money is settled; the tasks are still open, and nothing announces them yet
        assertThat(count(db, "SELECT count(*) FROM results WHERE final")).isEqualTo(LINES);
        assertThat(db.queryOne("SELECT state FROM batches WHERE batch_id = ?", rs -> rs.getString(1), BATCH))
                .contains("settled");
        assertThat(count(db, "SELECT count(*) FROM tasks WHERE status = 'accepted'")).isEqualTo(LINES + DUPLICATES);
        assertThat(count(db, "SELECT count(*) FROM outbox")).isZero();

        // before the delay the batch is not checked; after it, every task ends once, each with its row
        assertThat(check(db, NOW.plus(TaskCompletion.CHECK_DELAY).minusSeconds(1))).isZero();
        assertThat(check(db, NOW.plus(TaskCompletion.CHECK_DELAY))).isEqualTo(LINES + DUPLICATES);
        assertThat(check(db, NOW.plus(TaskCompletion.CHECK_DELAY).plusSeconds(60))).isZero();

        assertThat(count(db, "SELECT count(*) FROM tasks WHERE status = 'succeeded' AND NOT announced_by_batch"))
                .isEqualTo(LINES + DUPLICATES);
        assertThat(count(db, "SELECT count(*) FROM outbox WHERE kind = 'task'")).isEqualTo(LINES + DUPLICATES);
        assertThat(count(db, "SELECT count(DISTINCT event_id) FROM outbox")).isEqualTo(LINES + DUPLICATES);
        assertThat(count(db, """
                SELECT count(*) FROM tasks t JOIN results r ON r.request_id = t.request_id
                 WHERE t.tenant = 'acme' AND t.cost_usd = r.cost_usd AND r.cost_usd > 0""")).isEqualTo(LINES);
        assertThat(count(db, "SELECT count(*) FROM batches WHERE tasks_checked_at IS NOT NULL")).isOne();
    }

    /** Waits until the ending's first chunk has updated (and so row-locked) task {@code taskId}. */
    private static void awaitEndingOf(String taskId, DataSource ds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            while (System.nanoTime() < deadline) {
                try (var s = c.createStatement()) {
                    s.executeQuery("SELECT 1 FROM tasks WHERE tenant = 'acme' AND task_id = '" + taskId
                            + "' FOR UPDATE NOWAIT").close();
                    c.rollback();
                    Thread.sleep(20);
                } catch (SQLException e) {
                    c.rollback();
                    if ("55P03".equals(e.getSQLState())) {
                        return; // locked by the ending's UPDATE
                    }
                    throw e;
                }
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("the ending never updated " + taskId);
    }

    private Settlement settlement(Db db, Settlement.CrashPoint crashPoint) {
        return new Settlement(db, new Pricing(catalog), new Retries(1, Duration.ZERO), crashPoint);
    }

    private static int check(Db db, Instant now) {
        return db.inTransaction(c -> new TaskCompletion().checkSettled(c, now));
    }

    private static long count(Db db, String sql) {
        return db.queryOne(sql, rs -> rs.getLong(1)).orElseThrow();
    }

    private static BatchRow batch() {
        return new BatchRow(BATCH, "openai|/v1/chat/completions|gpt-4o-mini|0", Provider.OPENAI, "/v1/chat/completions",
                "gpt-4o-mini", PipelineState.IN_FLIGHT, LINES, 0, 0, "batch_e", 1, 1, 0, NOW, NOW, 0, Mode.BATCH, null);
    }

    private static String requestId(int i) {
        return "req-%05d".formatted(i);
    }

    private void lines(Consumer<ResultLine> sink) {
        for (int i = 0; i < LINES; i++) {
            sink.accept(line(i));
        }
    }

    private static ResultLine line(int i) {
        return new ResultLine(requestId(i), LineOutcome.SUCCEEDED, 200,
                Json.mapper().createObjectNode().put("id", "chatcmpl-" + i).put("content", "a \"quoted\", line\n" + i),
                null, null, false, new Usage(1_000 + i, i % 3 == 0 ? 512 : 0, 0, 0, 20 + i % 7, 0));
    }

    /** The batch, its requests and items, one task per line and a duplicate task for every tenth request. */
    private Db seed(DataSource ds) {
        Db db = new Db(ds);
        new PriceStore(db).load(catalog);
        db.update("""
                INSERT INTO batches (batch_id, lane, provider, endpoint, model, state, expected_count, provider_batch_id,
                                     created_at, updated_at)
                VALUES (?, 'lane', 'openai', '/v1/chat/completions', 'gpt-4o-mini', 'in_flight', ?, 'batch_e', ?, ?)""",
                BATCH, LINES, NOW, NOW);
        StringBuilder requests = new StringBuilder();
        StringBuilder items = new StringBuilder();
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < LINES; i++) {
            String id = requestId(i);
            requests.append(id).append(",openai,/v1/chat/completions,gpt-4o-mini,lane,\"{}\",3,1,acme,t").append(i)
                    .append(',').append(NOW).append('\n');
            items.append(BATCH).append(',').append(i).append(',').append(id).append(",t").append(i).append(",acme,1\n");
            tasks.append("acme,t").append(i).append(',').append(id)
                    .append(",openai,gpt-4o-mini,/v1/chat/completions,lane,false,10,0.00001,").append(NOW).append('\n');
            if (i % 10 == 0) {
                tasks.append("globex,t").append(i).append(',').append(id)
                        .append(",openai,gpt-4o-mini,/v1/chat/completions,lane,true,10,0.00001,").append(NOW).append('\n');
            }
        }
        try (Connection c = ds.getConnection()) {
            SeedRows.copy(c, requests, items, tasks);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        assertThat(count(db, "SELECT count(*) FROM tasks")).isEqualTo(LINES + DUPLICATES);
        return db;
    }
}
