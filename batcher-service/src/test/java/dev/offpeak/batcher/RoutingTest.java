package dev.offpeak.batcher;

import static dev.offpeak.batcher.TopologyFixture.lines;
import static dev.offpeak.batcher.TopologyFixture.markers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.CloseReason;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.packing.PackingKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The route of a task to dedup and packing: in place when the record already sits on its packing
 * key's partition, through the by-packing-key repartition otherwise; the key is always the one the
 * batcher computes. The driver reads every record from partition 0 of a 4-partition topology, so a
 * task whose key hashes to 0 takes the fast path and any other is moved.
 */
class RoutingTest {
    private TopologyFixture f = new TopologyFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /**
     * The first task asking {@code prompt} with the system prompt {@code system + n} whose packing
     * partition passes {@code where} (without a prefix, the key of a model with one shard is the same
     * for every request: the prefix is what moves it).
     */
    private ObjectNode taskOn(String system, String prompt, IntPredicate where) {
        for (int n = 0; n < 1000; n++) {
            ObjectNode task = f.openai(system + n, prompt);
            if (where.test(f.partitionOf(task))) {
                return task;
            }
        }
        throw new AssertionError("no task on a matching partition");
    }

    /** The same request again, with a new task id. */
    private static ObjectNode again(ObjectNode task, String taskId) {
        ObjectNode copy = task.deepCopy();
        copy.put("task_id", taskId);
        return copy;
    }

    private double routed(String path) {
        return f.counter(BatcherMetrics.ROUTED, "path", path);
    }

    @Test
    void identicalRequestsKeyedByTheirPackingKeyDedupInPlaceWithoutARepartition() {
        ObjectNode task = taskOn("Be brief. ", "in place", p -> p == 0);
        String key = f.packingKey(task);
        f.sendKeyed(task, key);
        f.sendKeyed(again(task, "t-again"), key);

        List<TaskAccepted> accepted = f.accepted.readValuesToList();
        assertThat(accepted).extracting(TaskAccepted::duplicate).containsExactly(false, true);
        assertThat(accepted.get(1).originalTaskId()).isEqualTo(task.get("task_id").asText());
        assertThat(lines(f.batchRecords())).hasSize(1);
        assertThat(routed("in_place")).isEqualTo(2);
        assertThat(routed("repartition")).isZero();
        assertThat(f.moved.isEmpty()).isTrue();
    }

    @Test
    void identicalRequestsKeyedByTaskIdDedupAfterTheRepartition() {
        ObjectNode task = taskOn("Be brief. ", "moved", p -> p != 0);
        f.send(task);
        f.send(again(task, "t-again"));

        assertThat(f.accepted.readValuesToList()).extracting(TaskAccepted::duplicate).containsExactly(false, true);
        assertThat(lines(f.batchRecords())).hasSize(1);
        assertThat(routed("repartition")).isEqualTo(2);
        assertThat(routed("in_place")).isZero();
        assertThat(f.moved.readRecordsToList()).extracting(TestRecord::key).containsOnly(f.packingKey(task)).hasSize(2);
    }

    @Test
    void theProducersKeyIsNeverTrustedAWrongOneCostsARepartitionNotADedup() {
        ObjectNode task = taskOn("Be brief. ", "wrong key", p -> p != 0);
        String lookingInPlace = java.util.stream.IntStream.range(0, 1000).mapToObj(n -> "claims-" + n)
                .filter(k -> PackingKey.partition(k, TopologyFixture.PARTITIONS) == 0).findFirst().orElseThrow();
        f.sendKeyed(task, lookingInPlace); // the producer's key would put it on this very partition
        f.sendKeyed(again(task, "t-again"), f.packingKey(task));
        // a producer that guessed the shard count wrong
        f.sendKeyed(again(task, "t-third"), f.packing(task).lane() + "|" + f.packing(task).prefixFingerprint() + "|7");

        assertThat(f.accepted.readValuesToList()).extracting(TaskAccepted::duplicate).containsExactly(false, true, true);
        assertThat(lines(f.batchRecords())).hasSize(1);
        assertThat(routed("repartition")).isEqualTo(3);
        assertThat(f.moved.readRecordsToList()).extracting(TestRecord::key).containsOnly(f.packingKey(task));
    }

    @Test
    void requestsSharingAPrefixShareAKeyAndABatchWithTheirPrefixEstimate() {
        f.close();
        f = new TopologyFixture(Map.of(BatcherConfig.MAX_WAIT, "1m"));
        String system = "You are a careful translator. Answer in French, keep the tone.";
        ObjectNode first = f.openai(system, "good morning");
        int home = f.partitionOf(first);
        f.send(first);
        for (int i = 0; i < 4; i++) {
            f.send(f.openai(system, "sentence number " + i));
        }
        ObjectNode elsewhere = taskOn("You are a poet. ", "good morning", p -> p != home);
        f.send(elsewhere);
        f.send(f.openai("no prefix at all"));
        f.advance(Duration.ofMinutes(1));

        List<BatchRecord> records = f.batchRecords();
        Map<String, List<BatchItem>> byBatch = lines(records).stream().collect(Collectors.groupingBy(BatchItem::batchId));
        List<BatchItem> shared = lines(records).stream().filter(i -> i.taskId().equals(first.get("task_id").asText()))
                .findFirst().map(i -> byBatch.get(i.batchId())).orElseThrow();
        assertThat(shared).hasSizeGreaterThanOrEqualTo(5);
        List<BatchItem> sameSystem = shared.stream().filter(i -> !i.prefixFingerprint().equals("-")
                && i.prefixFingerprint().equals(shared.getFirst().prefixFingerprint())).toList();
        assertThat(sameSystem).hasSize(5).allSatisfy(i -> {
            assertThat(i.prefixTokens()).isEqualTo(sameSystem.getFirst().prefixTokens()).isPositive();
            assertThat(i.estimatedTokens()).isGreaterThan(i.prefixTokens());
        });
        BatchItem other = lines(records).stream().filter(i -> i.taskId().equals(elsewhere.get("task_id").asText()))
                .findFirst().orElseThrow();
        assertThat(other.batchId()).isNotEqualTo(shared.getFirst().batchId());
        assertThat(other.prefixFingerprint()).isNotEqualTo(shared.getFirst().prefixFingerprint());
        BatchItem plain = lines(records).stream().filter(i -> i.prefixFingerprint().equals("-")).findFirst().orElseThrow();
        assertThat(plain.prefixTokens()).isZero();
        assertThat(markers(records)).allSatisfy(m -> assertThat(m.batchId()).matches("^b-[A-Za-z0-9_-]{1,62}$"));
    }

    @Test
    void aSealClosesTheJobsBatchesOnEveryPartition() {
        f.close();
        f = new TopologyFixture(Map.of(BatcherConfig.SEAL_GRACE, "1s"));
        ObjectNode onZero = taskOn("Prefix zero ", "q", p -> p == 0);
        ObjectNode onOther = taskOn("Prefix other ", "q", p -> p != 0);
        int other = f.partitionOf(onOther);
        for (ObjectNode task : List.of(onZero, onOther)) {
            task.put("job_id", "nightly");
            f.send(task);
        }
        f.send(f.anthropic("not in the job"));
        f.seal("nightly", TopologyFixture.T0);
        f.advance(Duration.ofSeconds(1));

        List<BatchClosed> closed = markers(f.batchRecords());
        assertThat(closed).hasSize(2).allSatisfy(m -> {
            assertThat(m.closeReason()).isEqualTo(CloseReason.JOB_SEALED);
            assertThat(m.jobIds()).containsExactly("nightly");
            assertThat(m.lane()).isEqualTo("openai|/v1/chat/completions|gpt-4o-mini");
        });
        assertThat(closed).extracting(BatchClosed::batchId).anySatisfy(id -> assertThat(id).contains("-p0-"))
                .anySatisfy(id -> assertThat(id).contains("-p" + other + "-"));
        assertThat(f.moved.readRecordsToList()).extracting(TestRecord::key).contains("nightly");
    }
}
