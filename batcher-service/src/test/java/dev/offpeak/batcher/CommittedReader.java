package dev.offpeak.batcher;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads every partition of a topic from the beginning with read_committed, a poll at a time. */
public final class CommittedReader<K, V> implements AutoCloseable {
    private final KafkaConsumer<K, V> consumer;

    public CommittedReader(String bootstrap, String topic, Deserializer<K> keys, Deserializer<V> values) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), keys, values);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Polls once and hands each record to {@code sink}; returns how many arrived. */
    public int poll(Consumer<ConsumerRecord<K, V>> sink) {
        var records = consumer.poll(Duration.ofMillis(200));
        records.forEach(sink);
        return records.count();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
