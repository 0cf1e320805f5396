package dev.offpeak.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RealKafka
class KafkaExtensionIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final List<String> topicsSeen = new CopyOnWriteArrayList<>();
    private static KafkaCluster clusterOfBeforeAll;

    private final KafkaCluster kafka;

    KafkaExtensionIT(KafkaCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    static void rememberCluster(KafkaCluster kafka) {
        clusterOfBeforeAll = kafka;
    }

    @AfterAll
    static void everyTestGotItsOwnTopics() {
        assertThat(topicsSeen).hasSize(4).doesNotHaveDuplicates();
    }

    @Test
    void oneClusterServesTheWholeClass(KafkaCluster parameter) {
        assertThat(parameter).isSameAs(kafka).isSameAs(clusterOfBeforeAll);
        assertThat(kafka.bootstrapServers()).isNotBlank();
    }

    @Test
    void uniqueTopicNamesCarryTheTestName() {
        String first = kafka.uniqueTopic("orders");
        String second = kafka.uniqueTopic("orders");
        assertThat(first).startsWith("orders-uniqueTopicNamesCarryTheTestName-").isNotEqualTo(second);
        topicsSeen.add(first);
    }

    @Test
    void exactlyOnceStreamsAppMapsInputToOutput(@TempDir Path stateDir) {
        String input = kafka.createUniqueTopic("input", 2);
        String output = kafka.createUniqueTopic("output", 2);
        topicsSeen.addAll(List.of(input, output));
        Properties props = kafka.streamsProperties(kafka.uniqueTopic("app"), stateDir);
        assertThat(props).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);

        try (KafkaStreams streams = new KafkaStreams(upperCase(input, output), props)) {
            streams.start();
            kafka.produce(input, List.of(Map.entry("a", "one"), Map.entry("b", "two"), Map.entry("c", "three")));

            List<ConsumerRecord<String, String>> records = kafka.readCommitted(output, 3, DEADLINE);

            assertThat(records).extracting(ConsumerRecord::key, ConsumerRecord::value)
                    .containsExactlyInAnyOrder(
tuple("a", "ONE"), tuple("b", "TWO"), tuple("c", "THREE"));
        }
    }

    @Test
    void readCommittedSkipsAbortedTransactions() {
        String topic = kafka.createUniqueTopic("tx", 1);
        topicsSeen.add(topic);
        Map<String, Object> props = kafka.producerProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, kafka.uniqueTopic("tx-id"));
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed"));
            producer.commitTransaction();
        }

        assertThat(kafka.readCommitted(topic, 1, DEADLINE)).extracting(ConsumerRecord::value).containsExactly("committed");
    }

    /** The topology under test: one method, read top to bottom. */
    private static Topology upperCase(String input, String output) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()).withName("read-input"))
                .mapValues(value -> value.toUpperCase(Locale.ROOT))
                .to(output, Produced.with(Serdes.String(), Serdes.String()).withName("write-output"));
        return builder.build();
    }
}
