package dev.offpeak.ingest.bench;

import dev.offpeak.ingest.IngestService;
import dev.offpeak.ingest.OwnBroker;
import dev.offpeak.ingest.Tasks;
import dev.offpeak.ingest.TestTenants;
import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.ingest.kafka.TaskPublisher;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
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
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Bulk ingest throughput next to the raw producer rate of the same broker, in one run. Not a test:
 * run it with {@code ./offpeak bench ingest [<tasks> [<concurrent requests>]]} (default 50000 8), or
 * <pre>./mvnw -q -pl ingest-service test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.offpeak.ingest.bench.IngestBench [-Dexec.args="50000 8"]</pre>
 *
 * <p>One JVM holds an in-process KRaft broker, the service and both load generators, so every
 * figure is CPU-bound on the same cores. Each round measures, back to back:
 * <ul>
 *   <li><b>raw</b>: one idempotent acks=all producer with the service's own producer settings
 *       ({@link TaskPublisher#producerProperties}) sends {@code tasks} records of exactly the bytes
 *       the service publishes for a 1 KiB task, to the same broker, and waits for every
 *       acknowledgement;</li>
 *   <li><b>ingest</b>: the same number of 1 KiB tasks as {@code concurrent requests} NDJSON bodies,
 *       each {@code POST /v1/tasks:bulk} on its own connection at the same time, the way a bulk
 *       uploader would send a large file in parts. The clock runs from the first byte sent to the
 *       last answer read; every answer must be {@code 202} and all tasks accepted (so every one was
 *       parsed, authorized, validated and acknowledged by the broker).</li>
 * </ul>
 * Outside the clock: building the bodies (before), and reading the answers' JSON (after). The client
 * is {@link HttpURLConnection} in fixed-length streaming mode, which writes the prepared bytes
 * straight to the socket, so the load generator takes little of the CPU the service and broker share.
 *
 * <p>Both measurements first run once at full size as a warm-up (a cold JIT costs the parsing path
 * three times what it costs warm), then {@link #ROUNDS} paired rounds follow and the round with the
 * median ratio is reported: running raw and ingest back to back means both see the same machine load,
 * and on a shared build machine single rounds swing by 2-4x. Each round also prints the process CPU
 * time per task of both, which depends much less on other load than the rates do. The last line is
 * {@code ingest: <n> tasks/s, raw <n> records/s, ratio <r>}.
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
                URI base = service.baseUri();
                ingest(base, bodies("w", tasks, clients), tasks);
                raw(config, tasks, "w");
                List<Measured[]> rounds = new ArrayList<>();
                for (int round = 1; round <= ROUNDS; round++) {
                    Measured raw = raw(config, tasks, "r" + round);
                    Measured ingest = ingest(base, bodies("m" + round, tasks, clients), tasks);
                    System.out.printf(Locale.ROOT, "round %d: ingest %d tasks/s (%.1f us CPU/task), raw %d records/s"
                            + " (%.1f us CPU/record), ratio %.2f%n", round, Math.round(ingest.perSecond()),
                            ingest.cpuMicrosEach(), Math.round(raw.perSecond()), raw.cpuMicrosEach(),
                            ingest.perSecond() / raw.perSecond());
                    rounds.add(new Measured[] {ingest, raw});
                }
                rounds.sort(Comparator.comparingDouble(r -> r[0].perSecond() / r[1].perSecond()));
                Measured[] median = rounds.get(rounds.size() / 2);
                System.out.printf(Locale.ROOT, "%d tasks of %d bytes per round, %d concurrent bulk requests, "
                        + "%d partitions, median of %d paired rounds%n", tasks, TASK_BYTES, clients, PARTITIONS, ROUNDS);
                result = String.format(Locale.ROOT, "ingest: %d tasks/s, raw %d records/s, ratio %.2f",
                        Math.round(median[0].perSecond()), Math.round(median[1].perSecond()),
                        median[0].perSecond() / median[1].perSecond());
            }
        }
        System.out.println(result);
    }

    /**
     * The same records the service publishes: a 1 KiB task, filled in as the service fills it, under the
     * key the service gives it (its packing key: one lane, no prefix, one shard, so one partition).
     */
    private static Measured raw(IngestConfig config, int count, String prefix) {
        byte[] template = enriched(Tasks.chatLineOfSize(prefix + "-0000000", TASK_BYTES));
        String key = PackingKey.of(Topics.TASKS.valueSerde().deserializer().deserialize("raw", template), 1).key();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(TaskPublisher.producerProperties(config),
                new StringSerializer(), new ByteArraySerializer())) {
            long cpu = processCpuNanos();
            long started = System.nanoTime();
            List<Future<?>> sends = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>("raw", key, template)));
            }
            producer.flush();
            for (Future<?> send : sends) {
                send.get();
            }
            return Measured.since(started, cpu, count);
        } catch (Exception e) {
            throw new IllegalStateException("raw produce failed", e);
        }
    }

    private static Measured ingest(URI base, List<byte[]> bodies, int expected) {
        ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
        try {
            long cpu = processCpuNanos();
            long started = System.nanoTime();
            List<CompletableFuture<byte[]>> answers = bodies.stream()
                    .map(body -> CompletableFuture.supplyAsync(() -> postBulk(base, body), pool)).toList();
            answers.forEach(CompletableFuture::join);
            Measured measured = Measured.since(started, cpu, expected);
            int accepted = 0;
            for (CompletableFuture<byte[]> answer : answers) {
                accepted += Json.mapper().readTree(answer.join()).path("accepted").asInt();
            }
            if (accepted != expected) {
                throw new IllegalStateException("accepted " + accepted + " of " + expected);
            }
            return measured;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            pool.shutdown();
        }
    }

    /** One bulk request on its own connection; the answer's bytes, which must come with 202. */
    private static byte[] postBulk(URI base, byte[] body) {
        try {
            HttpURLConnection connection = (HttpURLConnection) base.resolve("/v1/tasks:bulk").toURL().openConnection();
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            connection.setRequestProperty("Authorization", "Bearer " + TestTenants.ACME_TOKEN);
            connection.setRequestProperty("Content-Type", "application/x-ndjson");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            if (status != 202) {
                byte[] error = connection.getErrorStream() == null ? new byte[0] : connection.getErrorStream().readAllBytes();
                throw new IllegalStateException("bulk answered " + status + " " + new String(error, StandardCharsets.UTF_8));
            }
            try (InputStream in = connection.getInputStream()) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** A rate, and the CPU time the whole process (broker included) spent per item meanwhile. */
    private record Measured(double perSecond, double cpuMicrosEach) {
        static Measured since(long startedNanos, long cpuNanosAtStart, int items) {
            double seconds = (System.nanoTime() - startedNanos) / 1e9;
            return new Measured(items / seconds, (processCpuNanos() - cpuNanosAtStart) / 1e3 / items);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
