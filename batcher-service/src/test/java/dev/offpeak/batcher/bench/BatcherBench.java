package dev.offpeak.batcher.bench;

import dev.offpeak.batcher.BatchLedger;
import dev.offpeak.batcher.config.BatcherConfig;
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
 *   <li>topology skeleton: the same tasks through {@link TopologySkeleton}, the batcher's hops,
 *       stores and settings with none of its per-task work, on the fast path: what the shape alone
 *       allows here;</li>
 *   <li>batcher, fast path: the same tasks (20% duplicates, 7 models of 3 providers), keyed by their
 *       packing key as ingest and the client key them, in a child JVM with -Xmx256m; tasks/s from
 *       the first task.accepted of the measured tasks to the last of their lines committed on
 *       offpeak.batch-items;</li>
 *   <li>batcher, task_id-keyed: as many other tasks (no request in common) keyed by task id, as
 *       an older producer keys them, into the same warm batcher: about three in four are moved
 *       through the repartition topic (those the default partitioner put elsewhere);</li>
 *   <li>a 50,000-line, 200 MB OpenAI batch through a fresh broker and batcher, -Xmx256m again.</li>
 * </ol>
 * Sustained rates: the skeleton and the batcher each first drain a warm-up of other tasks (no
 * request in common, keyed by packing key), so the JIT has compiled their hot paths (in a cold child JVM the compiler
 * threads took half a core during a 20-second run); then the measured tasks are produced (about a
 * second, while the clock already runs) and drained. Heap peak is the larger of the two batcher
 * runs (see {@link HeapReportingBatcher}). Run with {@code ./offpeak bench batcher}, or {@code
 * ./mvnw -q -pl batcher-service exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.offpeak.batcher.bench.BatcherBench} (after {@code install}); optional system
 * properties {@code bench.tasks} (default 100000), {@code bench.warmup} (default 50000), {@code
 * bench.threads} (default 2), {@code bench.commitInterval} (the app's default), {@code
 * bench.skeleton} and {@code bench.bigBatch} (both default true).
 */
public final class BatcherBench {
    /** A phase with no new output for this long has stopped: fail instead of waiting out the deadline. */
    private static final long STALL_NANOS = 90L * 1_000_000_000L;
    private static final Path WORK = targetDir().resolve("bench-" + System.currentTimeMillis());

    private BatcherBench() {}

    public static void main(String[] args) throws Exception {
        int tasks = Integer.getInteger("bench.tasks", 100_000);
        int warmupTasks = Integer.getInteger("bench.warmup", 50_000);
        String threads = System.getProperty("bench.threads", "2");
        Workload work = new Workload("m-", tasks, 0.2, 800, 11, Workload.MODELS);
        Workload warmup = new Workload("w-", warmupTasks, 0.2, 800, 7, Workload.MODELS);
        Workload byTaskId = new Workload("k-", tasks, 0.2, 800, 12, Workload.MODELS);
        double avg = work.tasks.stream().mapToInt(t -> t.json().length).average().orElse(0);
        say("workload: %d tasks, %d unique, avg %.0f bytes (after a warm-up of %d other tasks)", tasks,
                work.uniqueRequestIds.size(), avg, warmupTasks);

        double raw;
        double rate;
        double idRate;
        double shape = Double.NaN;
        long heapA;
        try (BenchBroker broker = new BenchBroker()) {
            // every topic up front: producing to a topic created a moment before once failed with
            // OutOfOrderSequenceException while its partitions were still getting their leaders
            broker.createTopics(4, "bench.raw", Topics.TASKS.name(), Topics.JOBS.name(), Topics.TASK_ACCEPTED.name(),
                    Topics.BATCH_ITEMS.name(), TopologySkeleton.TASKS, TopologySkeleton.ITEMS, TopologySkeleton.ACCEPTED);
            broker.createTopics(1, Topics.TASKS_DLQ.name());
            String bootstrap = broker.bootstrapServers();
            KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
            // warm-up: connections, leaders, JIT; one run measured 816 records/s cold on a loaded machine
            produce(producer, "bench.raw", work.tasks.subList(0, Math.min(10_000, tasks)), Workload.Task::taskId);
            long t0 = System.nanoTime();
            produce(producer, "bench.raw", work.tasks, Workload.Task::taskId);
            raw = tasks / ((System.nanoTime() - t0) / 1e9);
            say("raw producer: %.0f records/s", raw);
            if (Boolean.parseBoolean(System.getProperty("bench.skeleton", "true"))) {
                shape = skeleton(bootstrap, producer, env(bootstrap, "bench-skeleton", threads), warmup, work);
                say("topology skeleton: %.0f tasks/s, ratio %.2f of raw (the topology's shape alone on the fast path: "
                        + "no parsing, validation, identity, tokens or lines)", shape, shape / raw);
            }
            Map<String, String> env = env(bootstrap, "bench-throughput", threads);
            env.put(BatcherConfig.MAX_WAIT, "2s");
            produce(producer, Topics.TASKS.name(), warmup.tasks, Workload.Task::packingKey);
            ChildBatcher child = ChildBatcher.start(HeapReportingBatcher.class.getName(), "256m", env, WORK.resolve("throughput.log"));
            try (BatcherOutput output = new BatcherOutput(bootstrap)) {
                output.drain(warmup, "warm-up");
                produce(producer, Topics.TASKS.name(), work.tasks, Workload.Task::packingKey);
                rate = output.drain(work, "measured, keyed by packing key");
                say("batcher, fast path (keyed by packing key): %.0f tasks/s, ratio %.2f of raw", rate, rate / raw);
                produce(producer, Topics.TASKS.name(), byTaskId.tasks, Workload.Task::taskId);
                idRate = output.drain(byTaskId, "measured, keyed by task id");
                say("batcher, keyed by task_id (most through the repartition): %.0f tasks/s, ratio %.2f of raw",
                        idRate, idRate / raw);
            }
            child.stop();
            producer.close();
            heapA = heapPeak(child.log());
            say("batcher: %.0f tasks/s fast path, %.0f tasks/s task_id-keyed (%d stream threads), heap peak %d MB", rate,
                    idRate, Integer.parseInt(threads), heapA >> 20);
        }
        long heapB = Boolean.parseBoolean(System.getProperty("bench.bigBatch", "true")) ? bigBatch(threads) : 0;
        long heap = Math.max(heapA, heapB);
        System.out.printf(Locale.ROOT, "batcher: %d tasks/s, raw %d records/s, ratio %.2f, heap peak %d MB, "
                        + "task_id-keyed %d tasks/s ratio %.2f, skeleton %d tasks/s ratio %.2f%n",
                Math.round(rate), Math.round(raw), rate / raw, heap >> 20, Math.round(idRate), idRate / raw,
                Double.isNaN(shape) ? 0 : Math.round(shape), Double.isNaN(shape) ? 0 : shape / raw);
    }

    /** The batcher's two output topics, read with read_committed from the beginning, across both phases. */
    private static final class BatcherOutput implements AutoCloseable {
        private final CommittedReader<String, dev.offpeak.schemas.events.TaskAccepted> accepted;
        private final CommittedReader<String, dev.offpeak.schemas.events.BatchRecord> items;

        BatcherOutput(String bootstrap) {
            accepted = new CommittedReader<>(bootstrap, Topics.TASK_ACCEPTED.name(),
                    Topics.TASK_ACCEPTED.keySerde().deserializer(), Topics.TASK_ACCEPTED.valueSerde().deserializer());
            items = new CommittedReader<>(bootstrap, Topics.BATCH_ITEMS.name(),
                    Topics.BATCH_ITEMS.keySerde().deserializer(), Topics.BATCH_ITEMS.valueSerde().deserializer());
        }

        /**
         * Reads until every request of {@code work} has its line; returns {@code work}'s tasks/s from
         * the poll that brought its first task.accepted to the one that brought its last new line.
         */
        double drain(Workload work, String phase) {
            java.util.Set<String> pending = new java.util.HashSet<>(work.uniqueRequestIds);
            java.util.Set<String> taskIds = new java.util.HashSet<>();
            work.tasks.forEach(t -> taskIds.add(t.taskId()));
            long[] seen = {0};
            long first = 0;
            long firstCount = 0;
            long deadline = System.nanoTime() + 20L * 60 * 1_000_000_000L;
            long lastLine = System.nanoTime();
            while (!pending.isEmpty()) {
                if (System.nanoTime() > deadline || System.nanoTime() - lastLine > STALL_NANOS) {
                    throw new IllegalStateException("batcher did not finish the " + phase + " tasks: "
                            + pending.size() + " of " + work.uniqueRequestIds.size() + " requests without a line");
                }
                seen[0] = 0;
                accepted.poll(r -> {
                    if (taskIds.contains(r.value().taskId())) {
                        seen[0]++;
                    }
                });
                if (first == 0 && seen[0] > 0) {
                    first = System.nanoTime();
                    firstCount = seen[0];
                }
                if (items.poll(r -> {
                    if (r.value() instanceof BatchItem item) {
                        pending.remove(item.requestId());
                    }
                }) > 0) {
                    lastLine = System.nanoTime();
                }
            }
            return (work.tasks.size() - firstCount) / ((System.nanoTime() - first) / 1e9);
        }

        @Override
        public void close() {
            accepted.close();
            items.close();
        }
    }

    /**
     * Tasks/s of {@link TopologySkeleton} over the same tasks: the warm-up first, then the measured
     * ones, from the first of their lines to the last.
     */
    private static double skeleton(String bootstrap, KafkaProducer<byte[], byte[]> producer, Map<String, String> env,
                                   Workload warmup, Workload work)
            throws Exception {
        produce(producer, TopologySkeleton.TASKS, warmup.tasks, t -> TopologySkeleton.packingKey(t.json()));
        ChildBatcher child = ChildBatcher.start(TopologySkeleton.class.getName(), "256m", env, WORK.resolve("skeleton.log"));
        double rate;
        try (var items = new CommittedReader<>(bootstrap, TopologySkeleton.ITEMS, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            countLines(items, warmup.tasks.size(), "warm-up");
            produce(producer, TopologySkeleton.TASKS, work.tasks, t -> TopologySkeleton.packingKey(t.json()));
            long[] firstAndCount = countLines(items, work.tasks.size(), "measured");
            rate = (work.tasks.size() - firstAndCount[1]) / ((System.nanoTime() - firstAndCount[0]) / 1e9);
        }
        child.stop();
        return rate;
    }

    /** Reads {@code expected} more skeleton lines; returns when the first arrived and how many came in that poll. */
    private static long[] countLines(CommittedReader<byte[], byte[]> items, int expected, String phase) {
        long lines = 0;
        long first = 0;
        long firstCount = 0;
        long deadline = System.nanoTime() + 20L * 60 * 1_000_000_000L;
        long lastLine = System.nanoTime();
        while (lines < expected) {
            if (System.nanoTime() > deadline || System.nanoTime() - lastLine > STALL_NANOS) {
                throw new IllegalStateException("skeleton did not finish the " + phase + " tasks: " + lines + " of "
                        + expected + " lines");
            }
            int n = items.poll(r -> { });
            if (n > 0) {
                lastLine = System.nanoTime();
            }
            if (first == 0 && n > 0) {
                first = System.nanoTime();
                firstCount = n;
            }
            lines += n;
        }
        return new long[] {first, firstCount};
    }

    private static long bigBatch(String threads) throws Exception {
        int count = 50_000;
        // ~4,000-byte lines: 50,000 of them make a 200 MB file
        Workload big = new Workload(count, 0.0, 3_860, 13, List.of(Workload.MODELS.getFirst()));
        try (BenchBroker broker = new BenchBroker()) {
            broker.createTopics(4, Topics.TASKS.name(), Topics.JOBS.name(), Topics.TASK_ACCEPTED.name(),
                    Topics.BATCH_ITEMS.name());
            broker.createTopics(1, Topics.TASKS_DLQ.name());
            try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                produce(producer, Topics.TASKS.name(), big.tasks, Workload.Task::packingKey);
            }
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

    /** One producer per broker for the whole run; {@link #produce} checks every send. */
    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Sends and flushes {@code tasks}, each keyed by {@code key} (default partitioner); a failed send
     * fails the bench instead of leaving it waiting for a line.
     */
    private static void produce(KafkaProducer<byte[], byte[]> producer, String topic, List<Workload.Task> tasks,
                                java.util.function.Function<Workload.Task, String> key) {
        java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
        int sent = 0;
        for (Workload.Task t : tasks) {
            producer.send(new ProducerRecord<>(topic, key.apply(t).getBytes(StandardCharsets.UTF_8), t.json()),
                    (metadata, e) -> {
                        if (e != null) {
                            failed.compareAndSet(null, e);
                        }
                    });
            if (++sent % 5_000 == 0) {
                producer.flush(); // bounded in-flight bytes: 200 MB at once timed out on a loaded machine
            }
        }
        producer.flush();
        if (failed.get() != null) {
            throw new IllegalStateException("could not produce the bench's tasks to " + topic, failed.get());
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
