package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.result.PipelineFixture.Batch;
import dev.offpeak.result.submit.Submitter;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The intake writes idempotently: replayed events change nothing, unreadable records are kept, not fatal. */
@RealKafka
@RealPostgres
class IntakeReplayIT {
    @TempDir
    Path temp;

    @Test
    void replayedEventsChangeNothing(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            Batch batch = PipelineFixture.batch("b-replay", PipelineFixture.OPENAI, 4, 2, h.clock.instant());
            h.publish(batch);
            h.intakeUntil(6, 1);
            String before = snapshot(h);
            h.publish(batch); // a producer retry, or a consumer that lost its committed offsets
            h.publish(batch);
            h.intakeUntilOffsetsReach(2L * (batch.accepted().size() + batch.records().size()));
            assertThat(snapshot(h)).isEqualTo(before);
            assertThat(h.count("SELECT count(*) FROM batch_items")).isEqualTo(4);
            assertThat(h.count("SELECT count(*) FROM batches WHERE state = 'ready'")).isEqualTo(1);
        }
    }

    @Test
    void unreadableRecordsAreKeptWithTheirReasonAndTheRestFlowsOn(KafkaCluster kafka, DataSource ds) {
        try (MoneyPathHarness h = new MoneyPathHarness(kafka, ds, temp, Submitter.CrashPoint.NONE)) {
            kafka.produce(h.acceptedTopic, List.of(Map.entry("k1", "{not json"), Map.entry("k2", "{\"type\":\"job.sealed\"}")));
            kafka.produce(h.itemsTopic, List.of(Map.entry("k3", "[]")));
            h.publish(PipelineFixture.batch("b-after-bad", PipelineFixture.GEMINI, 2, 0, h.clock.instant()));
            h.intakeUntil(2, 1);
            assertThat(h.count("SELECT count(*) FROM intake_rejects")).isEqualTo(3);
            assertThat(h.db.query("SELECT reason FROM intake_rejects ORDER BY topic, \"offset\"", rs -> rs.getString(1)))
                    .anySatisfy(r -> assertThat(r).contains("malformed JSON"))
                    .anySatisfy(r -> assertThat(r).contains("job.sealed"))
                    .anySatisfy(r -> assertThat(r).contains("expected a JSON object"));
            assertThat(new String(h.db.queryOne("SELECT raw FROM intake_rejects WHERE reason LIKE 'malformed%'",
                    rs -> rs.getBytes(1)).orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        }
    }

    private static String snapshot(MoneyPathHarness h) {
        return String.join("\n", h.db.query("""
                SELECT 'task ' || tenant || '/' || task_id || ' ' || status || ' ' || request_id FROM tasks
                UNION ALL SELECT 'request ' || request_id || ' ' || md5(line) FROM requests
                UNION ALL SELECT 'item ' || batch_id || ' ' || seq || ' ' || request_id FROM batch_items
                UNION ALL SELECT 'batch ' || batch_id || ' ' || state || ' ' || expected_count || ' ' || ids_checksum
                            || ' ' || coalesce(last_error, '') FROM batches
                ORDER BY 1""", rs -> rs.getString(1)));
    }
}
