package dev.offpeak.batcher.bench;

import dev.offpeak.batcher.BatchLedger;
import dev.offpeak.batcher.BatcherConfig;
import dev.offpeak.batcher.ChildBatcher;
import dev.offpeak.batcher.CommittedReader;
import dev.offpeak.batcher.Workload;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Throughput and memory of the batcher, each figure next to its yardstick from the same run.
 * <ol>
 *   <li>raw: an idempotent acks=all producer writing the same 1 KiB task payloads to a plain topic
 *       of the same broker: the broker's records/s on this machine right now;</li>
 *   <li>topology skeleton: the same backlog through {@link TopologySkeleton}, the batcher's hops,
 *       stores and settings with none of its per-task work: what the shape alone allows here;</li>
 *   <li>batcher: the same tasks (20% duplicates, 7 models of 3 providers) as a backlog, drained by
 *       the batcher in a child JVM with -Xmx256m; tasks/s from its first task.accepted to the
 *       last line committed on offpeak.batch-items;</li>
 *   <li>a 50,000-line, 200 MB OpenAI batch through a fresh broker and batcher, -Xmx256m again.</li>
 * </ol>
 * Heap peak is the larger of the two child runs (see {@link HeapReportingBatcher}). Run with
 * {@code ./mvnw -q -pl batcher-service exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.offpeak.batcher.bench.BatcherBench} (after {@code install}); optional
 * system properties {@code bench.tasks} (default 100000), {@code bench.threads} (default 2),
 * {@code bench.commitInterval} (the app's default), {@code bench.skeleton} and {@code bench.bigBatch}
 * (both default true).
 */
public final class BatcherBench {
    private static final Path WORK = targetDir().resolve("bench-" + System.currentTimeMillis());

    private BatcherBench() {}

    public static void main(String[] args) throws Exception {
        int tasks = Integer.getInteger("bench.tasks", 100_000);
        String threads = System.getProperty("bench.threads", "2");
        Workload work = new Workload(tasks, 0.2, 800, 11);
        double avg = work.tasks.stream().mapToInt(t -> t.json().length).average().orElse(0);
        say("workload: %d tasks, %d unique, avg %.0f bytes", tasks, work.uniqueRequestIds.size(), avg);

        double raw;
        double rate;
        long heapA;
        try (BenchBroker broker = new BenchBroker()) {
            broker.createTopics(4, "bench.raw", Topics.TASKS.name(), Topics.JOBS.name(), Topics.TASK_ACCEPTED.name(),
                    Topics.BATCH_ITEMS.name());
            broker.createTopics(1, Topics.TASKS_DLQ.name());
            // warm-up: connections, leaders, JIT; one run measured 816 records/s cold on a loaded machine
            produce(broker.bootstrapServers(), "bench.raw", work.tasks.subList(0, Math.min(10_000, tasks)));
            long t0 = System.nanoTime();
            produce(broker.bootstrapServers(), "bench.raw", work.tasks);
            raw = tasks / ((System.nanoTime() - t0) / 1e9);
            say("raw producer: %.0f records/s", raw);
            produce(broker.bootstrapServers(), Topics.TASKS.name(), work.tasks);
            Map<String, String> env = env(broker.bootstrapServers(), "bench-throughput", threads);
            env.put(BatcherConfig.MAX_WAIT, "2s");
            if (Boolean.parseBoolean(System.getProperty("bench.skeleton", "true"))) {
                broker.createTopics(4, TopologySkeleton.ITEMS, TopologySkeleton.ACCEPTED);
                double shape = skeleton(broker.bootstrapServers(), env(broker.bootstrapServers(), "bench-skeleton", threads),
                        tasks);
                say("topology skeleton: %.0f tasks/s, ratio %.2f of raw (the topology's shape alone: no parsing, "
                        + "validation, identity, tokens or lines)", shape, shape / raw);
            }
            ChildBatcher child = ChildBatcher.start(HeapReportingBatcher.class.getName(), "256m", env, WORK.resolve("throughput.log"));
            rate = drain(broker.bootstrapServers(), work);
            child.stop();
            heapA = heapPeak(child.log());
            say("batcher: %.0f tasks/s (%d stream threads), heap peak %d MB", rate, Integer.parseInt(threads), heapA >> 20);
        }
        long heapB = Boolean.parseBoolean(System.getProperty("bench.bigBatch", "true")) ? bigBatch(threads) : 0;
        long heap = Math.max(heapA, heapB);
        System.out.printf(Locale.ROOT, "batcher: %d tasks/s, raw %d records/s, ratio %.2f, heap peak %d MB%n",
                Math.round(rate), Math.round(raw), rate / raw, heap >> 20);
    }

    /** Tasks/s from the first accepted task to the last new line on batch-items. */
    private static double drain(String bootstrap, Workload work) throws Exception {
        BatchLedger ledger = new BatchLedger();
        long[] lines = {0};
        long first = 0;
        long firstCount = 0;
        long[] accepted = {0};
        try (var acceptedReader = new CommittedReader<>(bootstrap, Topics.TASK_ACCEPTED.name(),
                     Topics.TASK_ACCEPTED.keySerde().deserializer(), Topics.TASK_ACCEPTED.valueSerde().deserializer());
             var items = new CommittedReader<>(bootstrap, Topics.BATCH_ITEMS.name(),
                     Topics.BATCH_ITEMS.keySerde().deserializer(), Topics.BATCH_ITEMS.valueSerde().deserializer())) {
            long deadline = System.nanoTime() + 20L * 60 * 1_000_000_000L;
            while (lines[0] < work.uniqueRequestIds.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("batcher did not finish: " + lines[0] + " lines");
                }
                int n = acceptedReader.poll(r -> accepted[0]++);
                if (first == 0 && n > 0) {
                    first = System.nanoTime();
                    firstCount = n;
                }
                items.poll(r -> {
                    ledger.add(r.value());
                    if (r.value() instanceof BatchItem) {
                        lines[0]++;
                    }
                });
            }
            double seconds = (System.nanoTime() - first) / 1e9;
            return (work.tasks.size() - firstCount) / seconds;
        }
    }

    /** Tasks/s of {@link TopologySkeleton} over the same backlog, from its first line to its last. */
    private static double skeleton(String bootstrap, Map<String, String> env, int tasks) throws Exception {
        ChildBatcher child = ChildBatcher.start(TopologySkeleton.class.getName(), "256m", env, WORK.resolve("skeleton.log"));
        long lines = 0;
        long first = 0;
        long firstCount = 0;
        long deadline = System.nanoTime() + 20L * 60 * 1_000_000_000L;
        try (var items = new CommittedReader<>(bootstrap, TopologySkeleton.ITEMS, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            while (lines < tasks) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("skeleton did not finish: " + lines + " lines");
                }
                int n = items.poll(r -> { });
                if (first == 0 && n > 0) {
                    first = System.nanoTime();
                    firstCount = n;
                }
                lines += n;
            }
        }
        double seconds = (System.nanoTime() - first) / 1e9;
        child.stop();
        return (tasks - firstCount) / seconds;
    }

    private static long bigBatch(String threads) throws Exception {
        int count = 50_000;
        // ~4,000-byte lines: 50,000 of them make a 200 MB file
        Workload big = new Workload(count, 0.0, 3_860, 13, List.of(Workload.MODELS.getFirst()));
        try (BenchBroker broker = new BenchBroker()) {
            broker.createTopics(4, Topics.TASKS.name(), Topics.JOBS.name(), Topics.TASK_ACCEPTED.name(),
                    Topics.BATCH_ITEMS.name());
            broker.createTopics(1, Topics.TASKS_DLQ.name());
            produce(broker.bootstrapServers(), Topics.TASKS.name(), big.tasks);
            Map<String, String> env = env(broker.bootstrapServers(), "bench-big-batch", threads);
            env.put(BatcherConfig.SAFETY_MARGIN, "0");
            env.put(BatcherConfig.maxBytesKey(dev.offpeak.schemas.events.Provider.OPENAI), "200MiB");
            env.put(BatcherConfig.MAX_WAIT, "10m");
            ChildBatcher child = ChildBatcher.start(HeapReportingBatcher.class.getName(), "256m", env, WORK.resolve("big-batch.log"));
            BatchLedger ledger = new BatchLedger();
            BatchClosed[] marker = {null};
            long t0 = System.nanoTime();
            try (var items = new CommittedReader<>(broker.bootstrapServers(), Topics.BATCH_ITEMS.name(),
                    Topics.BATCH_ITEMS.keySerde().deserializer(), Topics.BATCH_ITEMS.valueSerde().deserializer())) {
                while (marker[0] == null) {
                    if (System.nanoTime() - t0 > 20L * 60 * 1_000_000_000L) {
                        throw new IllegalStateException("no marker for the big batch");
                    }
                    items.poll(r -> {
                        ledger.add(r.value());
                        if (r.value() instanceof BatchClosed m) {
                            marker[0] = m;
                        }
                    });
                }
            }
            child.stop();
            long heap = heapPeak(child.log());
            List<String> problems = ledger.verify(big.uniqueRequestIds);
            say("big batch: %d lines, %d bytes (%.1f MB), closed on %s, in %.1f s, heap peak %d MB, problems %s",
                    marker[0].itemCount(), marker[0].bytes(), marker[0].bytes() / 1e6, marker[0].closeReason().id(),
                    (System.nanoTime() - t0) / 1e9, heap >> 20, problems.isEmpty() ? "none" : problems.subList(0, Math.min(5, problems.size())));
            return heap;
        }
    }

    private static Map<String, String> env(String bootstrap, String appId, String threads) {
        Map<String, String> env = new HashMap<>();
        env.put(BatcherConfig.BOOTSTRAP, bootstrap);
        env.put(BatcherConfig.APPLICATION_ID, appId);
        env.put(BatcherConfig.STATE_DIR, WORK.resolve(appId).toString());
        env.put(BatcherConfig.STREAM_THREADS, threads);
        String commit = System.getProperty("bench.commitInterval");
        if (commit != null) {
            env.put(BatcherConfig.COMMIT_INTERVAL, commit);
        }
        return env;
    }

    private static void produce(String bootstrap, String topic, List<Workload.Task> tasks) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            int sent = 0;
            for (Workload.Task t : tasks) {
                producer.send(new ProducerRecord<>(topic, t.taskId().getBytes(StandardCharsets.UTF_8), t.json()));
                if (++sent % 5_000 == 0) {
                    producer.flush(); // bounded in-flight bytes: 200 MB at once timed out on a loaded machine
                }
            }
            producer.flush();
        }
    }

    private static long heapPeak(Path log) throws Exception {
        return Files.readAllLines(log).stream().filter(l -> l.startsWith(HeapReportingBatcher.MARKER))
                .map(l -> l.substring(HeapReportingBatcher.MARKER.length()).split(" ")[0])
                .mapToLong(Long::parseLong).max()
                .orElseThrow(() -> new IllegalStateException("no heap report in " + log));
    }

    /** batcher-service/target, wherever Maven was started from. */
    private static Path targetDir() {
        try {
            return Path.of(BatcherBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void say(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }
}
