package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 100,000 tasks (20% duplicates, 3 providers, 7 models) through the real batcher process, killed
 * with SIGKILL twice mid-stream: once restarted on its own state dir, once on a fresh one. Every
 * other task is keyed by its packing key (the fast path) and the rest by task id (moved through
 * the repartition topic), so a request and its duplicates often take different routes. A
 * read_committed reader must still find every unique request in exactly one batch, every marker
 * consistent with its lines, and exactly one task.accepted per task; the last run's metrics must
 * show both routes taken.
 */
@RealKafka
class BatcherExactlyOnceIT {
    private static final Logger log = LoggerFactory.getLogger(BatcherExactlyOnceIT.class);
    private static final int TASKS = 100_000;
    private static final Path WORK = Path.of("target", "it-batcher-" + System.currentTimeMillis());

    @Test
    void everyUniqueRequestLandsInExactlyOneConsistentBatchAcrossHardKills(KafkaCluster kafka) throws Exception {
        for (var topic : new String[] {Topics.TASKS.name(), Topics.JOBS.name(), Topics.TASK_ACCEPTED.name(),
                Topics.BATCH_ITEMS.name()}) {
            kafka.createTopic(topic, 4);
        }
        kafka.createTopic(Topics.TASKS_DLQ.name(), 1);
        Workload work = new Workload(TASKS, 0.2, 200, 7);
        produce(kafka, work);

        Map<String, String> env = new HashMap<>(Map.of(
                BatcherConfig.BOOTSTRAP, kafka.bootstrapServers(),
                BatcherConfig.APPLICATION_ID, "it-batcher",
                BatcherConfig.INSTANCE_ID, "it-batcher-0",
                BatcherConfig.MAX_WAIT, "3s",
                BatcherConfig.CHECK_INTERVAL, "500ms",
                "OFFPEAK_BATCHER_OPENAI_MAX_REQUESTS", "4000",
                "OFFPEAK_BATCHER_ANTHROPIC_MAX_REQUESTS", "6000",
                "OFFPEAK_BATCHER_GEMINI_MAX_REQUESTS", "5000"));
        Instant started = Instant.now();
        Set<String> acceptedTaskIds = new HashSet<>();
        long[] acceptedRecords = {0};
        long[] duplicates = {0};
        BatchLedger ledger = new BatchLedger();
        try (var accepted = new CommittedReader<>(kafka.bootstrapServers(), Topics.TASK_ACCEPTED.name(),
                     Topics.TASK_ACCEPTED.keySerde().deserializer(), Topics.TASK_ACCEPTED.valueSerde().deserializer());
             var items = new CommittedReader<>(kafka.bootstrapServers(), Topics.BATCH_ITEMS.name(),
                     Topics.BATCH_ITEMS.keySerde().deserializer(), Topics.BATCH_ITEMS.valueSerde().deserializer())) {
            Runnable pollBoth = () -> {
                accepted.poll(r -> {
                    acceptedRecords[0]++;
                    acceptedTaskIds.add(r.key());
                    if (r.value().duplicate()) {
                        duplicates[0]++;
                    }
                });
                items.poll(r -> ledger.add(r.value()));
            };
            env.put(BatcherConfig.STATE_DIR, WORK.resolve("state-a").toString());
            ChildBatcher first = ChildBatcher.start(BatcherMain.class.getName(), "256m", env, WORK.resolve("run-1.log"));
            waitUntil(() -> acceptedRecords[0] >= 30_000, pollBoth, Duration.ofMinutes(3), "30k accepted (run 1)");
            first.kill();
            log.info("run 1 killed at {} accepted, {} batch records", acceptedRecords[0], ledger.records());

            ChildBatcher second = ChildBatcher.start(BatcherMain.class.getName(), "256m", env, WORK.resolve("run-2.log"));
            waitUntil(() -> acceptedRecords[0] >= 65_000, pollBoth, Duration.ofMinutes(3), "65k accepted (run 2)");
            second.kill();
            log.info("run 2 killed at {} accepted, {} batch records", acceptedRecords[0], ledger.records());

            env.put(BatcherConfig.STATE_DIR, WORK.resolve("state-b").toString()); // fresh: restore from changelogs
            try (ChildBatcher third = ChildBatcher.start(BatcherMain.class.getName(), "256m", env, WORK.resolve("run-3.log"))) {
                waitUntil(() -> acceptedRecords[0] >= TASKS && ledger.complete(work.uniqueRequestIds), pollBoth,
                        Duration.ofMinutes(4), "every task accepted and every batch closed (run 3)");
                Map<String, Double> routed = routed(third.log());
                log.info("run 3 routed {}", routed);
                assertThat(routed.get("in_place")).isPositive();
                assertThat(routed.get("repartition")).isPositive();
                third.stop();
            }
            for (int i = 0; i < 10; i++) {
                pollBoth.run(); // anything extra (a duplicate) would show up now
            }
        }
        log.info("{} tasks, {} unique, {} batches, in {}", TASKS, work.uniqueRequestIds.size(), ledger.batches(),
                Duration.between(started, Instant.now()));

        assertThat(ledger.verify(work.uniqueRequestIds)).isEmpty();
        assertThat(acceptedRecords[0]).isEqualTo(TASKS);
        assertThat(acceptedTaskIds).hasSize(TASKS);
        assertThat(duplicates[0]).isEqualTo(TASKS - work.uniqueRequestIds.size());
        assertThat(work.duplicates).isBetween(19_000, 21_000);
    }

    private static void produce(KafkaCluster kafka, Workload work) {
        Map<String, Object> props = new HashMap<>(kafka.producerProperties());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < work.tasks.size(); i++) {
                Workload.Task t = work.tasks.get(i);
                String key = i % 2 == 0 ? t.packingKey() : t.taskId();
                producer.send(new ProducerRecord<>(Topics.TASKS.name(), key.getBytes(StandardCharsets.UTF_8), t.json()));
            }
            producer.flush();
        }
    }

    /** {@code offpeak.batcher.tasks.routed} by path, scraped from the child's /metrics (its port is in its log). */
    private static Map<String, Double> routed(Path childLog) throws Exception {
        java.util.regex.Matcher port = java.util.regex.Pattern.compile("metrics on port (\\d+)")
                .matcher(java.nio.file.Files.readString(childLog));
        String last = null;
        while (port.find()) {
            last = port.group(1);
        }
        if (last == null) {
            throw new AssertionError("no metrics port in " + childLog);
        }
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + last + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> routed = new HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "offpeak_batcher_tasks_routed_total\\{path=\"(\\w+)\",?\\} (\\S+)").matcher(body);
        while (m.find()) {
            routed.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return routed;
    }

    private static void waitUntil(java.util.function.BooleanSupplier done, Runnable poll, Duration timeout, String what) {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            poll.run();
        }
    }
}
