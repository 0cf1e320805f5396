package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.schemas.topics.DlqHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IntakeAndDedupTest {
    private TopologyFixture f = new TopologyFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private static String header(TestRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void malformedJsonGoesToTheDlqWithOriginalKeyBytesAndReason() {
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
        f.tasks.pipeInput("k-1".getBytes(StandardCharsets.UTF_8), garbage);
        f.send(f.openai("still flowing"));

        TestRecord<byte[], byte[]> bad = f.dlq.readRecord();
        assertThat(new String(bad.key(), StandardCharsets.UTF_8)).isEqualTo("k-1");
        assertThat(bad.value()).isEqualTo(garbage);
        assertThat(header(bad, DlqHeaders.REASON)).isEqualTo("malformed_json");
        assertThat(header(bad, DlqHeaders.PROBLEMS)).startsWith("$: malformed JSON");
        assertThat(header(bad, DlqHeaders.SOURCE_TOPIC)).isEqualTo("offpeak.tasks");
        assertThat(header(bad, DlqHeaders.SERVICE)).isEqualTo("batcher-service");
        assertThat(f.accepted.readValuesToList()).hasSize(1); // the app went on
        assertThat(f.counter(BatcherMetrics.DLQ, "reason", "malformed_json")).isEqualTo(1);
    }

    @Test
    void invalidTaskGoesToTheDlqNamingEveryProblem() {
        ObjectNode task = f.openai("x");
        task.remove("tenant");
        task.put("model", "gpt-0");
        f.send(task);

        TestRecord<byte[], byte[]> bad = f.dlq.readRecord();
        assertThat(header(bad, DlqHeaders.REASON)).isEqualTo("invalid_task");
        assertThat(header(bad, DlqHeaders.PROBLEMS)).contains("tenant: required").contains("model: unknown");
        assertThat(f.accepted.isEmpty()).isTrue();
        assertThat(f.items.isEmpty()).isTrue();
    }

    @Test
    void aPromptOverTheModelsContextWindowGoesToTheDlqNamingTheWindow() {
        // ~240,000 tokens to Claude Sonnet 4.5 (a 200K window): what a producer writing to Kafka directly could send
        ObjectNode task = f.task("anthropic", "claude-sonnet-4-5", "/v1/messages",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "a".repeat(960_000) + "\"}],\"max_tokens\":64}");
        f.send(task);
        f.send(f.anthropic("fits"));

        TestRecord<byte[], byte[]> bad = f.dlq.readRecord();
        assertThat(header(bad, DlqHeaders.REASON)).isEqualTo("invalid_task");
        assertThat(header(bad, DlqHeaders.PROBLEMS))
                .contains("request: estimated prompt of 240008 tokens exceeds the 200000-token context window of claude-sonnet-4-5");
        assertThat(f.accepted.readValuesToList()).hasSize(1);
    }

    @Test
    void aBodyTheProviderWouldRefuseGoesToTheDlqNamingEachField() {
        // issue #16: what each provider refuses a day later, written to Kafka directly
        f.send(f.task("anthropic", "claude-haiku-4-5", "/v1/messages",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"rules\"},{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"max_tokens\":\"64\"}"));
        f.send(f.task("openai", "gpt-4o-mini", "/v1/chat/completions",
                "{\"messages\":[{\"content\":\"hi\"}],\"temperature\":\"0.7\",\"max_tokens\":-1}"));
        f.send(f.anthropic("fine"));

        List<TestRecord<byte[], byte[]>> bad = f.dlq.readRecordsToList();
        assertThat(bad).hasSize(2).allSatisfy(r -> assertThat(header(r, DlqHeaders.REASON)).isEqualTo("invalid_task"));
        assertThat(header(bad.get(0), DlqHeaders.PROBLEMS)).contains("request.messages[0].role: must be user or assistant")
                .contains("request.max_tokens: must be an integer");
        assertThat(header(bad.get(1), DlqHeaders.PROBLEMS)).contains("request.messages[0].role: required")
                .contains("request.temperature: must be a number or null").contains("request.max_tokens: must be >= 1");
        assertThat(f.accepted.readValuesToList()).hasSize(1);
    }

    @Test
    void duplicateInsideTheWindowIsAcceptedWithoutANewLine() {
        ObjectNode first = f.openai("same question");
        ObjectNode second = f.openai("same question");
        f.send(first, TopologyFixture.T0);
        f.send(second, TopologyFixture.T0.plus(Duration.ofHours(23)));

        List<TaskAccepted> accepted = f.accepted.readValuesToList();
        assertThat(accepted).extracting(TaskAccepted::duplicate).containsExactly(false, true);
        assertThat(accepted.get(1).originalTaskId()).isEqualTo("t-1");
        assertThat(accepted.get(1).requestId()).isEqualTo(accepted.get(0).requestId());
        assertThat(accepted.get(1).estimatedInputTokens()).isPositive();
        assertThat(accepted.get(1).estimatedCostUsd()).isPositive();
        assertThat(TopologyFixture.lines(f.batchRecords())).hasSize(1);
        assertThat(f.counter(BatcherMetrics.DUPLICATES)).isEqualTo(1);
    }

    /**
     * Both routes: the request without a system prompt keys to one fixed partition; the system prompt
     * moves it, so the first prompt landing elsewhere takes the other route.
     */
    @Test
    void aTasksModeReachesItsLineOnEitherRouteAndADuplicateAskingAnotherSharesThatLine() {
        ObjectNode plain = f.openai("mode question");
        ObjectNode otherRoute = IntStream.range(0, 1000).mapToObj(n -> f.openai("System " + n, "q"))
                .filter(t -> (f.partitionOf(t) == 0) != (f.partitionOf(plain) == 0)).findFirst().orElseThrow();
        for (ObjectNode first : List.of(plain, otherRoute)) {
            first.put("mode", "sync");
            ObjectNode inBatch = first.deepCopy().put("task_id", first.get("task_id").asText() + "-batch")
                    .put("mode", "batch");
            ObjectNode askingNone = first.deepCopy().put("task_id", first.get("task_id").asText() + "-none");
            askingNone.remove("mode");
            f.send(first);
            f.send(inBatch);
            f.send(askingNone);

            List<TaskAccepted> accepted = f.accepted.readValuesToList();
            assertThat(accepted).extracting(TaskAccepted::duplicate).containsExactly(false, true, true);
            assertThat(accepted).extracting(TaskAccepted::requestId).containsOnly(accepted.getFirst().requestId());
            List<BatchItem> lines = TopologyFixture.lines(f.batchRecords());
            assertThat(lines).singleElement().satisfies(line -> {
                assertThat(line.taskId()).isEqualTo(first.get("task_id").asText());
                assertThat(line.mode()).isEqualTo(RequestedMode.SYNC);
            });
        }
        assertThat(f.moved.readRecordsToList()).as("one of the two took the repartition").isNotEmpty();

        ObjectNode none = f.openai("asks no mode");
        f.send(none);
        assertThat(TopologyFixture.lines(f.batchRecords())).singleElement()
                .satisfies(line -> assertThat(line.mode()).isNull());
    }

    @Test
    void identicalTaskAfterTheWindowIsANewRequest() {
        f.send(f.openai("same question"), TopologyFixture.T0);
        f.send(f.openai("same question"), TopologyFixture.T0.plus(Duration.ofHours(24)).plusMillis(1));

        assertThat(f.accepted.readValuesToList()).extracting(TaskAccepted::duplicate).containsExactly(false, false);
        assertThat(TopologyFixture.lines(f.batchRecords())).hasSize(2);
    }

    @Test
    void dedupWindowIsConfigurable() {
        f.close();
        f = new TopologyFixture(Map.of(BatcherConfig.DEDUP_WINDOW, "10m"));
        f.send(f.openai("q"), TopologyFixture.T0);
        f.send(f.openai("q"), TopologyFixture.T0.plus(Duration.ofMinutes(9)));
        f.send(f.openai("q"), TopologyFixture.T0.plus(Duration.ofMinutes(21)));
        assertThat(f.accepted.readValuesToList()).extracting(TaskAccepted::duplicate).containsExactly(false, true, false);
    }

    @Test
    void tasksWithDedupOffAlwaysGetTheirOwnLine() {
        ObjectNode a = f.openai("same");
        ObjectNode b = f.openai("same");
        a.put("dedup", false);
        b.put("dedup", false);
        f.send(a);
        f.send(b);

        List<TaskAccepted> accepted = f.accepted.readValuesToList();
        assertThat(accepted).extracting(TaskAccepted::duplicate).containsExactly(false, false);
        assertThat(accepted.get(0).requestId()).isNotEqualTo(accepted.get(1).requestId());
        assertThat(TopologyFixture.lines(f.batchRecords())).hasSize(2);
    }

    @Test
    void tenantScopeKeepsTenantsApartAndGlobalScopeSharesAcrossTenants() {
        ObjectNode acme = f.openai("shared");
        ObjectNode globex = f.openai("shared");
        globex.put("tenant", "globex");
        f.send(acme);
        f.send(globex);
        assertThat(f.accepted.readValuesToList()).extracting(TaskAccepted::duplicate).containsExactly(false, false);

        ObjectNode acmeGlobal = f.openai("shared");
        ObjectNode globexGlobal = f.openai("shared");
        acmeGlobal.put("dedup_scope", "global");
        globexGlobal.put("dedup_scope", "global");
        globexGlobal.put("tenant", "globex");
        f.send(acmeGlobal);
        f.send(globexGlobal);
        List<TaskAccepted> global = f.accepted.readValuesToList();
        assertThat(global).extracting(TaskAccepted::duplicate).containsExactly(false, true);
        assertThat(global.get(1).originalTaskId()).isEqualTo(acmeGlobal.get("task_id").asText());
        assertThat(TopologyFixture.lines(f.batchRecords())).hasSize(3);
    }

    @Test
    void redeliveredTaskIsAcceptedAgainButNotPackedTwice() {
        ObjectNode task = f.openai("retry me");
        f.send(task);
        f.send(task);
        assertThat(f.accepted.readValuesToList()).extracting(TaskAccepted::duplicate).containsExactly(false, false);
        assertThat(TopologyFixture.lines(f.batchRecords())).hasSize(1);
    }

    @Test
    void acceptedTaskCarriesLaneEstimatesAndMetadata() {
        ObjectNode task = f.openai("hello world");
        task.put("job_id", "nightly");
        task.putObject("metadata").put("feature", "reviews");
        f.send(task);

        TaskAccepted a = f.accepted.readValue();
        assertThat(a.lane()).isEqualTo("openai|/v1/chat/completions|gpt-4o-mini");
        assertThat(a.jobId()).isEqualTo("nightly");
        assertThat(a.metadata()).containsEntry("feature", "reviews");
        assertThat(a.acceptedAt()).isEqualTo(TopologyFixture.T0);
        // gpt-4o-mini batch: input 0.075/M, output 0.30/M; output estimate = max_tokens (5)
        long in = a.estimatedInputTokens();
        assertThat(a.estimatedCostUsd()).isEqualByComparingTo(
                new java.math.BigDecimal("0.075").multiply(java.math.BigDecimal.valueOf(in))
                        .add(new java.math.BigDecimal("0.30").multiply(java.math.BigDecimal.valueOf(5)))
                        .movePointLeft(6));
        BatchItem line = TopologyFixture.lines(f.batchRecords()).getFirst();
        assertThat(line.taskId()).isEqualTo("t-1");
        assertThat(line.estimatedTokens()).isEqualTo(in);
    }

    @Test
    void taskTooLargeForAnyBatchOfItsLaneGoesToTheDlq() {
        f.close();
        f = new TopologyFixture(Map.of(BatcherConfig.maxBytesKey(dev.offpeak.schemas.events.Provider.OPENAI), "2048",
                BatcherConfig.SAFETY_MARGIN, "0"));
        f.send(f.openai("x".repeat(3000)));
        f.send(f.openai("small"));

        TestRecord<byte[], byte[]> bad = f.dlq.readRecord();
        assertThat(header(bad, DlqHeaders.REASON)).isEqualTo("too_large");
        assertThat(header(bad, DlqHeaders.PROBLEMS)).contains("too large for any batch of lane openai|");
        assertThat(f.accepted.readValuesToList()).hasSize(1);
    }

    @Test
    void taskTooLargeForAKafkaRecordGoesToTheDlq() {
        f.close();
        f = new TopologyFixture(Map.of(BatcherConfig.MAX_RECORD_BYTES, "20000"));
        f.send(f.openai("\\\"".repeat(5000))); // escaping doubles these
        assertThat(header(f.dlq.readRecord(), DlqHeaders.PROBLEMS)).contains("too large for a Kafka record");
    }
}
