package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.CloseReason;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job seal must reach every packing partition: the embedded service ({@link BatcherService}) on a
 * real broker with 4 partitions, one job spread over 7 lanes, batches that would otherwise stay
 * open for 10 minutes.
 */
@RealKafka
class JobSealIT {
    private static java.net.http.HttpResponse<String> get(int port, String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sealClosesTheJobsBatchesOnEveryLanePartition(KafkaCluster kafka, @TempDir Path state) throws Exception {
        for (var topic : new String[] {Topics.TASKS.name(), Topics.JOBS.name(), Topics.TASK_ACCEPTED.name(),
                Topics.BATCH_ITEMS.name()}) {
            kafka.createTopic(topic, 4);
        }
        kafka.createTopic(Topics.TASKS_DLQ.name(), 1);
        Workload work = new Workload(70, 0.0, 20, 3);
        List<ProducerRecord<byte[], byte[]>> tasks = new ArrayList<>();
        for (Workload.Task t : work.tasks) {
            String json = new String(t.json(), StandardCharsets.UTF_8).replace("\"tenant\":\"acme\"",
                    "\"tenant\":\"acme\",\"job_id\":\"nightly\"");
            tasks.add(new ProducerRecord<>(Topics.TASKS.name(), t.taskId().getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produce(tasks, new ByteArraySerializer(), new ByteArraySerializer());

        BatcherConfig config = BatcherConfig.fromEnv(Map.of(BatcherConfig.BOOTSTRAP, kafka.bootstrapServers(),
                BatcherConfig.APPLICATION_ID, "seal-it", BatcherConfig.STATE_DIR, state.toString(),
                BatcherConfig.MAX_WAIT, "10m", BatcherConfig.SEAL_GRACE, "1s", BatcherConfig.CHECK_INTERVAL, "200ms"));
        var prometheus = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        try (BatcherService service = BatcherService.start(config, prometheus);
             BatcherHttp http = BatcherHttp.start(0, service, prometheus)) {
            kafka.readCommitted(Topics.TASK_ACCEPTED.name(), 70, Duration.ofMinutes(2)); // every task is in
            // the probes and the scrape the deploy files point at
            assertThat(get(http.port(), "/health/live").statusCode()).isEqualTo(200);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(get(http.port(), "/health/ready").body()).contains("RUNNING"));
            assertThat(get(http.port(), "/metrics").body()).contains("offpeak_batcher_");
            kafka.produce(List.of(new ProducerRecord<>(Topics.JOBS.name(), "nightly",
                    new JobSealed("nightly", "acme", 70L, Instant.now()))), Topics.JOBS.keySerde().serializer(),
                    Topics.JOBS.valueSerde().serializer());

            BatchLedger ledger = new BatchLedger();
            Instant deadline = Instant.now().plusSeconds(60);
            try (var items = new CommittedReader<>(kafka.bootstrapServers(), Topics.BATCH_ITEMS.name(),
                    Topics.BATCH_ITEMS.keySerde().deserializer(), Topics.BATCH_ITEMS.valueSerde().deserializer())) {
                while (!ledger.complete(work.uniqueRequestIds) && Instant.now().isBefore(deadline)) {
                    items.poll(r -> {
                        ledger.add(r.value());
                    });
                }
            }
            assertThat(ledger.verify(work.uniqueRequestIds)).isEmpty();
            assertThat(ledger.markers().values()).hasSize(Workload.MODELS.size()).allSatisfy(m -> {
                assertThat(m.closeReason()).isEqualTo(CloseReason.JOB_SEALED);
                assertThat(m.jobIds()).containsExactly("nightly");
            });
            assertThat(ledger.markers().values().stream().map(BatchClosed::lane).distinct()).hasSize(7);
            // the 7 lanes (no prefix, one shard) live on more than one packing partition, so the seal had to reach several
            assertThat(ledger.markers().values().stream().map(m -> dev.offpeak.schemas.packing.PackingKey.partition(
                    m.lane() + "|-|0", 4)).distinct().count()).isGreaterThan(1);
            assertThat(service.metrics().registry().get(BatcherMetrics.CLOSED).tag("reason", "job_sealed")
                    .counters().stream().mapToDouble(c -> c.count()).sum()).isEqualTo(7);
        }
    }
}
