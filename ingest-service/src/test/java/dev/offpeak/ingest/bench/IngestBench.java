package dev.offpeak.ingest.bench;

import dev.offpeak.ingest.Http;
import dev.offpeak.ingest.IngestService;
import dev.offpeak.ingest.OwnBroker;
import dev.offpeak.ingest.Tasks;
import dev.offpeak.ingest.TestTenants;
import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.ingest.kafka.TaskPublisher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Bulk ingest throughput next to the raw producer rate of the same broker, in one run: an
 * in-process KRaft broker, the raw producer sending the very bytes the service would publish (same
 * producer settings: acks=all, idempotence), then the same number of 1 KiB tasks through
 * {@code POST /v1/tasks:bulk} in {@code clients} concurrent requests. Not a test: run it with
 * <pre>./mvnw -q -pl ingest-service test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.offpeak.ingest.bench.IngestBench [-Dexec.args="<tasks> <concurrent requests>", default "50000 8"]</pre>
 * The last line is {@code ingest: <n> tasks/s, raw <n> records/s, ratio <r>}.
 */
public final class IngestBench {
    private static final int TASK_BYTES = 1024;
    private static final int PARTITIONS = 6;
    private static final int ROUNDS = 5;

    private IngestBench() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path dir = Files.createTempDirectory("ingest-bench");
        String result;
        try (OwnBroker broker = OwnBroker.start()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("raw", PARTITIONS, (short) 1),
                        new NewTopic("tasks", PARTITIONS, (short) 1), new NewTopic("jobs", 1, (short) 1))).all().get();
            }
            IngestConfig config = IngestConfig.defaults().withPort(0).withTokenFile(TestTenants.write(dir))
                    .withKafka(broker.bootstrapServers(), "tasks", "jobs");
            try (IngestService service = IngestService.start(config)) {
                Http http = new Http(service.baseUri());
                // Warm-up at full size: a cold JIT costs the parsing path three times what it costs warm.
                ingest(http, bodies("w", tasks, clients), tasks);
                raw(config, tasks, "w");
                // Paired rounds (raw, then ingest, back to back) so both see the same machine load; the
                // round with the median ratio is reported, since a shared build machine makes single
                // rounds swing by 2-4x.
                List<double[]> rounds = new ArrayList<>();
                for (int round = 1; round <= ROUNDS; round++) {
                    double raw = raw(config, tasks, "r" + round);
                    double ingest = ingest(http, bodies("m" + round, tasks, clients), tasks);
                    System.out.printf(Locale.ROOT, "round %d: ingest %d tasks/s, raw %d records/s, ratio %.2f%n",
                            round, Math.round(ingest), Math.round(raw), ingest / raw);
                    rounds.add(new double[] {ingest, raw});
                }
                rounds.sort(Comparator.comparingDouble(r -> r[0] / r[1]));
                double[] median = rounds.get(rounds.size() / 2);
                System.out.printf(Locale.ROOT, "%d tasks of %d bytes per round, %d concurrent bulk requests, "
                        + "%d partitions, median of %d paired rounds%n", tasks, TASK_BYTES, clients, PARTITIONS, ROUNDS);
                result = String.format(Locale.ROOT, "ingest: %d tasks/s, raw %d records/s, ratio %.2f",
                        Math.round(median[0]), Math.round(median[1]), median[0] / median[1]);
            }
        }
        System.out.println(result);
    }

    /** The same records the service publishes: a 1 KiB task, filled in as the service fills it. */
    private static double raw(IngestConfig config, int count, String prefix) {
        byte[] template = enriched(Tasks.chatLineOfSize(prefix + "-0000000", TASK_BYTES));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(TaskPublisher.producerProperties(config),
                new StringSerializer(), new ByteArraySerializer())) {
            long started = System.nanoTime();
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>("raw", prefix + "-" + i, template)));
            }
            producer.flush();
            for (var send : sends) {
                send.get();
            }
            return count / seconds(started);
        } catch (Exception e) {
            throw new IllegalStateException("raw produce failed", e);
        }
    }

    private static double ingest(Http http, List<byte[]> bodies, int expected) {
        ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
        try {
            long started = System.nanoTime();
            List<CompletableFuture<Http.Response>> answers = bodies.stream().map(body -> CompletableFuture.supplyAsync(
                    () -> http.post("/v1/tasks:bulk", TestTenants.ACME_TOKEN, "application/x-ndjson", body), pool))
                    .toList();
            int accepted = 0;
            for (CompletableFuture<Http.Response> answer : answers) {
                Http.Response response = answer.join();
                if (response.status() != 202) {
                    throw new IllegalStateException("bulk answered " + response);
                }
                accepted += response.json().path("accepted").asInt();
            }
            double seconds = seconds(started);
            if (accepted != expected) {
                throw new IllegalStateException("accepted " + accepted + " of " + expected);
            }
            return accepted / seconds;
        } finally {
            pool.shutdown();
        }
    }

    private static List<byte[]> bodies(String prefix, int tasks, int clients) {
        List<byte[]> bodies = new ArrayList<>();
        int per = tasks / clients;
        for (int c = 0; c < clients; c++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(per * (TASK_BYTES + 1));
            int count = c == clients - 1 ? tasks - per * (clients - 1) : per;
            for (int i = 0; i < count; i++) {
                String id = String.format(Locale.ROOT, "%s-%d-%07d", prefix, c, i);
                out.writeBytes(Tasks.chatLineOfSize(id, TASK_BYTES).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
            bodies.add(out.toByteArray());
        }
        return bodies;
    }

    private static byte[] enriched(String task) {
        String filled = task.replaceFirst("\\{", "{\"type\": \"task.submitted\", \"schema_version\": 1, \"tenant\": \"acme\","
                + " \"submitted_at\": \"2026-11-23T02:00:00Z\", \"dedup_scope\": \"tenant\", ");
        return filled.getBytes(StandardCharsets.UTF_8);
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
