package dev.offpeak.batcher.bench;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.batcher.BatcherService;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
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
 * <p>Same hops as {@code BatcherTopology}: read the tasks (from {@link #TASKS}); repartition by a 64-character
 * key (a hash of the value bytes, standing in for the request id); look up and write a persistent
 * window store (standing in for dedup); write a ~300-byte record per task (standing in for
 * task.accepted); repartition by one of seven lanes; read and write a cached in-memory key-value
 * store (standing in for the open batch header); write the task bytes as the batch line. Same
 * Streams settings ({@link BatcherService#streamsProperties}), exactly_once_v2 included. It skips
 * parsing, validation, identity, tokens, cost and the provider line, and sends every task on as
 * new, so it writes at least as many records as the batcher.
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
        KafkaStreams streams = new KafkaStreams(topology(config.dedupWindow()), BatcherService.streamsProperties(config));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            closed.countDown();
        }, "skeleton-shutdown"));
        streams.start();
        closed.await();
    }

    static Topology topology(Duration window) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore("seen", window, window, false),
                Serdes.Bytes(), Serdes.Bytes()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("lanes"),
                Serdes.String(), Serdes.Long()).withCachingEnabled());
        var byKey = builder.stream(TASKS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .map((key, value) -> KeyValue.pair(hashKey(value), value))
                .repartition(Repartitioned.<byte[], byte[]>as("skeleton-by-key")
                        .withKeySerde(Serdes.ByteArray()).withValueSerde(Serdes.ByteArray()));
        var seen = byKey.process(() -> new Seen(window.toMillis()), "seen");
        seen.mapValues(value -> Arrays.copyOf(value, Math.min(300, value.length)))
                .to(ACCEPTED, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        seen.map((key, value) -> KeyValue.pair("lane-" + Math.floorMod(Arrays.hashCode(key), LANES), value))
                .repartition(Repartitioned.<String, byte[]>as("skeleton-by-lane")
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()))
                .process(Counted::new, "lanes")
                .to(ITEMS, Produced.with(Serdes.String(), Serdes.ByteArray()));
        return builder.build();
    }

    private static byte[] hashKey(byte[] value) {
        long h = 1125899906842597L;
        for (byte b : value) {
            h = 31 * h + b;
        }
        String hex = HexFormat.of().toHexDigits(h);
        return hex.repeat(4).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** A window-store lookup and, for a key not seen yet, a write: the dedup step's store traffic. */
    private static final class Seen implements Processor<byte[], byte[], byte[], byte[]> {
        private final long window;
        private WindowStore<Bytes, Bytes> store;
        private ProcessorContext<byte[], byte[]> context;

        Seen(long window) {
            this.window = window;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
            this.store = context.getStateStore("seen");
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            Bytes key = Bytes.wrap(record.key());
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
