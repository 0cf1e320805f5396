package dev.offpeak.ingest;

import static dev.offpeak.ingest.TestTenants.ACME_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.schemas.events.DedupScope;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The happy paths against a real broker: single, bulk, OpenAI batch import, seal, health, metrics. */
@RealKafka
class IngestServiceIT {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private KafkaCluster kafka;
    private RunningService running;
    private Http http;

    @BeforeEach
    void start(KafkaCluster kafka, @TempDir Path dir) {
        this.kafka = kafka;
        running = RunningService.start(kafka, dir);
        http = running.http();
    }

    @AfterEach
    void stop() {
        running.close();
    }

    private List<ConsumerRecord<String, TaskSubmitted>> tasks(int count) {
        return kafka.readCommitted(running.tasksTopic(), count, new StringDeserializer(),
                Topics.TASKS.valueSerde().deserializer(), READ_TIMEOUT);
    }

    @Test
    void singleTaskIsAcceptedOnlyAfterKafkaHasItWithOmittedFieldsFilledIn() {
        Http.Response response = http.post("/v1/tasks", ACME_TOKEN, "application/json", Tasks.chat("t-1"));

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(response.json().path("task_id").asText()).isEqualTo("t-1");
        assertThat(response.json().path("status").asText()).isEqualTo("accepted");
        ConsumerRecord<String, TaskSubmitted> record = tasks(1).getFirst();
        TaskSubmitted task = record.value();
        assertThat(task.taskId()).isEqualTo("t-1");
        assertKeyedByPackingKey(record, 1);
        assertThat(record.key()).isEqualTo("openai|/v1/chat/completions|gpt-4o-mini|-|0");
        assertThat(task.tenant()).isEqualTo("acme");
        assertThat(task.provider()).isEqualTo(Provider.OPENAI);
        assertThat(task.submittedAt()).isNotNull();
        assertThat(task.dedupScope()).isEqualTo(DedupScope.TENANT);
        assertThat(record.partition()).isEqualTo(response.json().path("partition").asInt());
        assertThat(record.offset()).isEqualTo(response.json().path("offset").asLong());
    }

    @Test
    void aTasksModeIsPublishedAsSent() {
        String sync = Tasks.chat("m-1").replace("{\"task_id\"", "{\"mode\": \"sync\", \"task_id\"");
        Http.Response response = http.post("/v1/tasks", ACME_TOKEN, "application/json", sync);

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(tasks(1).getFirst().value().mode()).isEqualTo(RequestedMode.SYNC);
    }

    @Test
    void tenantThatOptedIntoGlobalDedupGetsGlobalScope() {
        Http.Response response = http.post("/v1/tasks", TestTenants.GLOBEX_TOKEN, "application/json; charset=utf-8",
                Tasks.chat("g-1"));

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        TaskSubmitted task = tasks(1).getFirst().value();
        assertThat(task.tenant()).isEqualTo("globex");
        assertThat(task.dedupScope()).isEqualTo(DedupScope.GLOBAL);
    }

    @Test
    void bulkAcceptsEveryGoodLineAndReportsEachBadLineByNumber() {
        String body = String.join("\n",
                Tasks.chatLine("b-1"),
                "{not json",
                Tasks.chatLine("b-3"),
                "",
                Tasks.chatLine("b-5").replace("gpt-4o-mini", "gpt-unknown"),
                Tasks.chatLine("b-6") + "\r") + "\n";

        Http.Response response = http.post("/v1/tasks:bulk", ACME_TOKEN, "application/x-ndjson", body);

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        JsonNode json = response.json();
        assertThat(json.path("accepted").asInt()).isEqualTo(3);
        assertThat(json.path("rejected").asInt()).isEqualTo(2);
        assertThat(json.path("not_sent").asInt()).isZero();
        assertThat(json.path("accepted_tasks").toString())
                .isEqualTo("[{\"line\":1,\"task_id\":\"b-1\"},{\"line\":3,\"task_id\":\"b-3\"},{\"line\":6,\"task_id\":\"b-6\"}]");
        JsonNode rejected = json.path("rejected_lines");
        assertThat(rejected.get(0).path("line").asInt()).isEqualTo(2);
        assertThat(rejected.get(0).path("error").path("code").asText()).isEqualTo("malformed_json");
        assertThat(rejected.get(1).path("line").asInt()).isEqualTo(5);
        assertThat(rejected.get(1).path("error").path("code").asText()).isEqualTo("invalid_task");
        assertThat(rejected.get(1).path("error").path("problems").get(0).path("field").asText()).isEqualTo("model");

        List<ConsumerRecord<String, TaskSubmitted>> records = tasks(3);
        assertThat(records).allSatisfy(record -> assertKeyedByPackingKey(record, 1));
        assertThat(records).extracting(r -> r.value().taskId()).containsExactlyInAnyOrder("b-1", "b-3", "b-6");
    }

    @Test
    void bulkStreamsManyLinesAndListsEveryAcceptedOne() {
        int count = 5_000;
        String body = IntStream.range(0, count).mapToObj(i -> Tasks.chatLine("many-" + i))
                .collect(Collectors.joining("\n"));

        Http.Response response = http.post("/v1/tasks:bulk", ACME_TOKEN, "application/jsonl", body);

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(response.json().path("accepted").asInt()).isEqualTo(count);
        assertThat(response.json().path("accepted_tasks").size()).isEqualTo(count);
        List<ConsumerRecord<String, TaskSubmitted>> records = tasks(count);
        assertThat(records).extracting(r -> r.value().taskId()).doesNotHaveDuplicates().hasSize(count);
        // one lane, no shared prefix, one shard: one key, so one partition, in the order sent
        String key = PackingKey.of(records.getFirst().value(), 1).key();
        assertThat(records).extracting(ConsumerRecord::key).containsOnly(key);
        assertThat(records).extracting(ConsumerRecord::partition)
                .containsOnly(PackingKey.partition(key, RunningService.TASK_PARTITIONS));
    }

    @Test
    void aChunkedUploadOfTwentyMegabytesIsStreamedLineByLine() {
        int count = 20_000;
        String template = Tasks.chatLineOfSize("chunk-0000000", 1024) + "\n";
        byte[] line = template.getBytes(StandardCharsets.UTF_8);
        int digits = template.indexOf("0000000");
        // Generated while it is sent: no Content-Length, and no copy of the whole body anywhere.
        Http.Response response = http.postStream("/v1/tasks:bulk", ACME_TOKEN, "application/x-ndjson",
                () -> new InputStream() {
                    private long position;

                    @Override
                    public int read() {
                        if (position >= (long) count * line.length) {
                            return -1;
                        }
                        int index = (int) (position % line.length);
                        long lineNumber = position / line.length;
                        position++;
                        // write the line number into the task_id's digits: chunk-0000000 .. chunk-0019999
                        if (index >= digits && index < digits + 7) {
                            return String.format("%07d", lineNumber).charAt(index - digits);
                        }
                        return line[index];
                    }
                });

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(response.json().path("accepted").asInt()).isEqualTo(count);
        assertThat(response.json().path("accepted_tasks").get(count - 1).path("task_id").asText())
                .isEqualTo("chunk-0019999");
    }

    @Test
    void bulkWhereEveryLineIsBadIsA422WithLineNumberedProblems() {
        Http.Response response = http.post("/v1/tasks:bulk", ACME_TOKEN, "application/x-ndjson",
                "[1]\n{\"task_id\": 5}\n");

        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        JsonNode error = response.json().path("error");
        assertThat(error.path("code").asText()).isEqualTo("all_lines_rejected");
        assertThat(error.path("problems").toString()).contains("line 1", "line 2: task_id");
        assertThat(response.json().path("accepted").asInt()).isZero();
    }

    @Test
    void emptyBulkIsA400() {
        Http.Response response = http.post("/v1/tasks:bulk", ACME_TOKEN, "application/x-ndjson", "\n\n");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().path("error").path("code").asText()).isEqualTo("empty_body");
    }

    @Test
    void openAiBatchFileBecomesTasksOfTheJob() {
        String file = String.join("\n", Tasks.openAiLine("req-1"), Tasks.openAiLine("req-2"),
                Tasks.openAiLine("req-3").replace("\"POST\"", "\"GET\""),
                Tasks.openAiLine("req-4").replace("gpt-4o-mini", "no-such-model")) + "\n";

        Http.Response response = http.post("/v1/jobs/nightly-7/openai-batch", ACME_TOKEN, "application/jsonl", file);

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        JsonNode json = response.json();
        assertThat(json.path("job_id").asText()).isEqualTo("nightly-7");
        assertThat(json.path("accepted").asInt()).isEqualTo(2);
        JsonNode rejected = json.path("rejected_lines");
        assertThat(rejected.get(0).path("line").asInt()).isEqualTo(3);
        assertThat(rejected.get(0).path("error").path("problems").get(0).path("field").asText()).isEqualTo("method");
        assertThat(rejected.get(1).path("line").asInt()).isEqualTo(4);
        assertThat(rejected.get(1).path("error").path("problems").get(0).path("field").asText())
                .isEqualTo("body.model");

        List<ConsumerRecord<String, TaskSubmitted>> records = tasks(2);
        assertThat(records).allSatisfy(record -> assertKeyedByPackingKey(record, 1));
        Map<String, TaskSubmitted> onKafka = records.stream()
                .collect(Collectors.toMap(r -> r.value().taskId(), ConsumerRecord::value));
        TaskSubmitted task = onKafka.get("req-1");
        assertThat(task.jobId()).isEqualTo("nightly-7");
        assertThat(task.provider()).isEqualTo(Provider.OPENAI);
        assertThat(task.endpoint()).isEqualTo("/v1/chat/completions");
        assertThat(task.model()).isEqualTo("gpt-4o-mini");
        assertThat(task.request().path("messages").get(0).path("content").asText()).isEqualTo("Hi req-1");
        assertThat(task.tenant()).isEqualTo("acme");
    }

    @Test
    void withLaneShardsSetTheShardInTheKeyFollowsItOnEveryPath(@TempDir Path otherDir) {
        running.close();
        running = RunningService.startFromEnv(kafka, otherDir, Map.of(IngestConfig.LANE_SHARDS, "gpt-4o-mini=8, gpt-4o=2"));
        http = running.http();
        String system = "{\"role\": \"system\", \"content\": \"Be brief.\"}, ";
        int lines = 16;
        String body = IntStream.range(0, lines).mapToObj(i -> Tasks.chatLine("sh-" + i)
                        .replace("\"messages\": [", "\"messages\": [" + system)
                        .replace("{\"task_id\"", i % 4 == 0 ? "{\"dedup\": false, \"task_id\"" : "{\"task_id\""))
                .collect(Collectors.joining("\n"));
        Http.Response bulk = http.post("/v1/tasks:bulk", ACME_TOKEN, "application/x-ndjson", body);
        Http.Response single = http.post("/v1/tasks", TestTenants.GLOBEX_TOKEN, "application/json", Tasks.chat("sh-g"));
        Http.Response imported = http.post("/v1/jobs/j-8/openai-batch", ACME_TOKEN, "application/jsonl",
                Tasks.openAiLine("sh-o1").replace("gpt-4o-mini", "gpt-4o") + "\n" + Tasks.openAiLine("sh-o2"));
        assertThat(List.of(bulk, single, imported)).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(202));

        List<ConsumerRecord<String, TaskSubmitted>> records = tasks(lines + 3);
        Map<String, Integer> shards = Map.of("gpt-4o-mini", 8, "gpt-4o", 2);
        assertThat(records).allSatisfy(record -> assertKeyedByPackingKey(record, shards.get(record.value().model())));
        assertThat(records.stream().map(r -> PackingKey.of(r.value(), 8).shard()).distinct().count())
                .as("the shard comes from each request: sixteen requests spread over several of the 8").isGreaterThan(1);
    }

    /**
     * The record's key is the packing key the batcher computes from its value, and it sits on the
     * partition Kafka's default partitioner gives that key: where the batcher packs it, no repartition.
     */
    private static void assertKeyedByPackingKey(ConsumerRecord<String, TaskSubmitted> record, int shards) {
        String key = PackingKey.of(record.value(), shards).key();
        assertThat(record.key()).as(record.value().taskId()).isEqualTo(key);
        assertThat(record.partition()).as(record.value().taskId())
                .isEqualTo(PackingKey.partition(key, RunningService.TASK_PARTITIONS));
    }

    @Test
    void sealPublishesJobSealedKeyedByJobId() {
        Http.Response response = http.post("/v1/jobs/nightly-7:seal", ACME_TOKEN, "application/json",
                "{\"task_count\": 2}");

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(response.json().path("task_count").asLong()).isEqualTo(2);
        ConsumerRecord<String, JobSealed> record = kafka.readCommitted(running.jobsTopic(), 1,
                new StringDeserializer(), EventSerde.of(JobSealed.class).deserializer(), READ_TIMEOUT).getFirst();
        assertThat(record.key()).isEqualTo("nightly-7");
        assertThat(record.value().tenant()).isEqualTo("acme");
        assertThat(record.value().taskCount()).isEqualTo(2L);
        assertThat(record.value().sealedAt()).isNotNull();
    }

    @Test
    void sealWithoutBodyLeavesTaskCountOut() {
        Http.Response response = http.post("/v1/jobs/j-2:seal", ACME_TOKEN, null, "");

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(response.json().has("task_count")).isFalse();
    }

    @Test
    void healthAndMetricsAreServed() {
        assertThat(http.get("/health/live").status()).isEqualTo(200);
        Http.Response ready = http.get("/health/ready");
        assertThat(ready.status()).as(ready.toString()).isEqualTo(200);
        assertThat(ready.json().path("status").asText()).isEqualTo("ready");

        http.post("/v1/tasks", ACME_TOKEN, "application/json", Tasks.chat("m-1"));
        http.post("/v1/tasks", ACME_TOKEN, "application/json", "{");
        Http.Response metrics = http.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        Function<String, String> line = prefix -> metrics.body().lines().filter(l -> l.startsWith(prefix))
                .findFirst().orElse("missing " + prefix);
        assertThat(line.apply("offpeak_ingest_tasks_accepted_total{endpoint=\"single\"}")).endsWith(" 1.0");
        assertThat(line.apply("offpeak_ingest_tasks_rejected_total{endpoint=\"single\",reason=\"malformed_json\"}"))
                .endsWith(" 1.0");
        assertThat(metrics.body()).contains("offpeak_ingest_send_latency_seconds_count{outcome=\"ok\"}");
    }
}
