package dev.offpeak.batcher.bench;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.batcher.BatcherService;
import dev.offpeak.schemas.packing.PackingKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The batcher's topology shape with none of its per-task work, as a yardstick for the bench: what
 * the shape itself costs on this broker and machine, so the batcher's rate can be read against it.
 *
 * <p>Same hops as {@code BatcherTopology}: read the tasks (from {@link #TASKS}); compute a stand-in
 * packing key from the value bytes ({@link #packingKey}: one of seven lanes, as the bench workload
 * has seven); keep a task whose record already sits on that key's partition in place, move any
 * other through the one repartition (by that key); look up and write a persistent window store
 * keyed by a 64-character hash of the value (standing in for dedup by request id); write a
 * ~300-byte record per task (standing in for task.accepted); read and write a cached in-memory
 * key-value store (standing in for the open batch header); write the task bytes as the batch line.
 * Same Streams settings ({@link BatcherService#streamsProperties}), exactly_once_v2 included. It
 * skips parsing, validation, identity, prefix, tokens, cost and the provider line, and sends every
 * task on as new, so it writes at least as many records as the batcher. The bench keys its input by
 * {@link #packingKey}, so it measures the fast path; the partition count of {@link #TASKS} comes
 * from {@code SKELETON_PARTITIONS} (default 4, the bench's).
 *
 * <p>The shape before the one-repartition topology (repartition by request id, dedup, repartition
 * by lane, pack) measured 0.18-0.23 of the raw producer; see the batcher README.
 */
public final class TopologySkeleton {
    /** Where the skeleton writes its lines and acceptances: never the real topics. */
    public static final String ITEMS = "skeleton.items";
    public static final String ACCEPTED = "skeleton.accepted";
    /** Its input: a topic of its own, so the bench can feed it and the batcher separately. */
    public static final String TASKS = "skeleton.tasks";
    private static final int LANES = 7;

    private TopologySkeleton() {}

    /** Runs the skeleton with the batcher's configuration from the environment until SIGTERM. */
    public static void main(String[] args) throws InterruptedException {
        BatcherConfig config = BatcherConfig.fromEnv();
        int partitions = Integer.parseInt(System.getenv().getOrDefault("SKELETON_PARTITIONS", "4"));
        KafkaStreams streams = new KafkaStreams(topology(config.dedupWindow(), partitions),
                BatcherService.streamsProperties(config));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            closed.countDown();
        }, "skeleton-shutdown"));
        streams.start();
        closed.await();
    }

    /** The stand-in packing key of a task's bytes: one of {@value #LANES} lanes. */
    public static String packingKey(byte[] value) {
        return "lane-" + Math.floorMod(hash(value), LANES) + "|-|0";
    }

    static Topology topology(Duration window, int partitions) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore("seen", window, window, false),
                Serdes.Bytes(), Serdes.Bytes()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("lanes"),
                Serdes.String(), Serdes.Long()).withCachingEnabled());
        var routed = builder.stream(TASKS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new Route(partitions), Named.as("route"))
                .split(Named.as("skeleton-"))
                .branch((key, value) -> value.inPlace(), Branched.as("in-place"))
                .defaultBranch(Branched.as("elsewhere"));
        var moved = routed.get("skeleton-elsewhere")
                .repartition(Repartitioned.<String, Routed>as("skeleton-by-key").withNumberOfPartitions(partitions)
                        .withKeySerde(Serdes.String()).withValueSerde(Routed.SERDE));
        var seen = routed.get("skeleton-in-place").merge(moved)
                .mapValues(Routed::value)
                .process(() -> new Seen(window.toMillis()), "seen");
        seen.mapValues(value -> Arrays.copyOf(value, Math.min(300, value.length)))
                .to(ACCEPTED, Produced.with(Serdes.String(), Serdes.ByteArray()));
        seen.process(Counted::new, "lanes")
                .to(ITEMS, Produced.with(Serdes.String(), Serdes.ByteArray()));
        return builder.build();
    }

    private static long hash(byte[] value) {
        long h = 1125899906842597L;
        for (byte b : value) {
            h = 31 * h + b;
        }
        return h;
    }

    private static Bytes hashKey(byte[] value) {
        String hex = HexFormat.of().toHexDigits(hash(value));
        return Bytes.wrap(hex.repeat(4).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** A task and whether it already sits on its key's partition; the route flag never crosses the topic. */
    private record Routed(byte[] value, boolean inPlace) {
        static final org.apache.kafka.common.serialization.Serde<Routed> SERDE = Serdes.serdeFrom(
                (topic, r) -> r.value(), (topic, bytes) -> new Routed(bytes, true));
    }

    /** The intake's routing decision: the stand-in key's partition against the record's. */
    private static final class Route implements Processor<byte[], byte[], String, Routed> {
        private final int partitions;
        private ProcessorContext<String, Routed> context;

        Route(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public void init(ProcessorContext<String, Routed> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            String key = packingKey(record.value());
            boolean inPlace = context.recordMetadata()
                    .map(m -> m.partition() == PackingKey.partition(key, partitions)).orElse(false);
            context.forward(record.withKey(key).withValue(new Routed(record.value(), inPlace)));
        }
    }

    /** A window-store lookup and, for a key not seen yet, a write: the dedup step's store traffic. */
    private static final class Seen implements Processor<String, byte[], String, byte[]> {
        private final long window;
        private WindowStore<Bytes, Bytes> store;
        private ProcessorContext<String, byte[]> context;

        Seen(long window) {
            this.window = window;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore("seen");
        }

        @Override
        public void process(Record<String, byte[]> record) {
            Bytes key = hashKey(record.value());
            try (var it = store.fetch(key, record.timestamp() - window, record.timestamp() + window)) {
                if (!it.hasNext()) {
                    store.put(key, Bytes.wrap(new byte[36]), record.timestamp());
                }
            }
            context.forward(record);
        }
    }

    /** A read and a write of the lane's entry per line: the packer's store traffic. */
    private static final class Counted implements Processor<String, byte[], String, byte[]> {
        private KeyValueStore<String, Long> store;
        private ProcessorContext<String, byte[]> context;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore("lanes");
        }

        @Override
        public void process(Record<String, byte[]> record) {
            Long count = store.get(record.key());
            store.put(record.key(), count == null ? 1 : count + 1);
            context.forward(record);
        }
    }
}
