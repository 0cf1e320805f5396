package dev.offpeak.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.JaasUtils;

/**
 * A real Kafka broker for one test class, with the helpers integration tests keep rewriting: unique topic
 * names, client properties, produce, and a read_committed read with a deadline that fails loudly. Every
 * helper carries {@link #clientSecurityProperties()}, so they work against a SASL broker as they are.
 * The extension owns it and closes it after the test class; tests should not close it.
 */
public final class KafkaCluster implements AutoCloseable {
    /** The super user of a {@code @RealKafka(sasl = true)} broker; every helper here authenticates as it. */
    public static final String SASL_ADMIN = JaasUtils.KAFKA_PLAIN_ADMIN;
    public static final String SASL_ADMIN_PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;
    /** A second user of a SASL broker: it authenticates, but without ACLs the broker's authorizer refuses it. */
    public static final String SASL_USER = JaasUtils.KAFKA_PLAIN_USER1;
    public static final String SASL_USER_PASSWORD = JaasUtils.KAFKA_PLAIN_USER1_PASSWORD;

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_TEST_NAME = 60;

    private final KafkaBroker broker;
    // Part of every generated name, so reruns against a long-lived external broker never meet old topics.
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile String currentTest = "class";
    private Admin admin;

    KafkaCluster(KafkaBroker broker) {
        this.broker = broker;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /**
     * What a client needs besides {@code bootstrap.servers} to be let in: empty for a PLAINTEXT broker;
     * for {@code @RealKafka(sasl = true)} {@code security.protocol=SASL_PLAINTEXT}, {@code sasl.mechanism=PLAIN}
     * and a {@code sasl.jaas.config} for {@value #SASL_ADMIN}.
     */
    public Map<String, String> clientSecurityProperties() {
        return broker.clientSecurity();
    }

    /** The client settings of a SASL/PLAIN login as {@code user}, e.g. with a wrong password to be refused. */
    public static Map<String, String> saslPlain(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                        + "\" password=\"" + password + "\";");
    }

    /** A topic name no other test (or earlier run) uses: {@code prefix-testMethod-run-n}. Does not create it. */
    public String uniqueTopic(String prefix) {
        String name = prefix + "-" + currentTest + "-" + runId + "-" + sequence.incrementAndGet();
        return name.replaceAll("[^a-zA-Z0-9._-]", "_");
    }

    /** Creates {@link #uniqueTopic} with the given partition count and returns its name. */
    public String createUniqueTopic(String prefix, int partitions) {
        String name = uniqueTopic(prefix);
        createTopic(name, partitions);
        return name;
    }

    /** Creates a topic with replication factor 1 and waits until the broker has it. */
    public void createTopic(String name, int partitions) {
        await(admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all(), "create topic " + name);
    }

    public Map<String, Object> adminProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.putAll(clientSecurityProperties());
        return props;
    }

    /** Idempotent producer, acks=all: what the services run with. Serializers are passed to the constructor. */
    public Map<String, Object> producerProperties() {
        Map<String, Object> props = adminProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    /** A consumer that starts at the beginning and, like every downstream reader of EOS output, reads committed. */
    public Map<String, Object> consumerProperties(String groupId) {
        Map<String, Object> props = adminProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    /** Kafka Streams with exactly_once_v2 and the caller's own state dir (a {@code @TempDir} per test). */
    public Properties streamsProperties(String applicationId, Path stateDir) {
        Properties props = new Properties();
        // Literal keys: StreamsConfig lives in kafka-streams, which this module does not force on its users.
        props.put("bootstrap.servers", bootstrapServers());
        props.putAll(clientSecurityProperties());
        props.put("application.id", applicationId);
        props.put("processing.guarantee", "exactly_once_v2");
        props.put("state.dir", stateDir.toString());
        props.put("consumer.auto.offset.reset", "earliest");
        return props;
    }

    /** Produces string records in order and waits for every acknowledgement. */
    public void produce(String topic, List<Map.Entry<String, String>> keyValues) {
        produce(keyValues.stream().map(kv -> new ProducerRecord<>(topic, kv.getKey(), kv.getValue())).toList(),
                new StringSerializer(), new StringSerializer());
    }

    public <K, V> void produce(List<ProducerRecord<K, V>> records, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        try (KafkaProducer<K, V> producer = new KafkaProducer<>(producerProperties(), keySerializer, valueSerializer)) {
            var sends = records.stream().map(producer::send).toList();
            producer.flush();
            for (var send : sends) {
                await(send, "produce to " + records.getFirst().topic());
            }
        }
    }

    public List<ConsumerRecord<String, String>> readCommitted(String topic, int count, Duration timeout) {
        return readCommitted(topic, count, new StringDeserializer(), new StringDeserializer(), timeout);
    }

    /**
     * Reads committed records from every partition of {@code topic}, from the beginning, until at least
     * {@code count} arrived; fails with what did arrive when the deadline passes first. Assigns partitions
     * instead of joining a group, so no rebalance delay and nothing left behind on the broker.
     */
    public <K, V> List<ConsumerRecord<K, V>> readCommitted(String topic, int count, Deserializer<K> keyDeserializer,
                                                          Deserializer<V> valueDeserializer, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Map<String, Object> props = adminProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // reading must not create a misspelled topic
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keyDeserializer, valueDeserializer)) {
            List<TopicPartition> partitions = partitionsOf(consumer, topic, deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (records.size() < count && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        if (records.size() < count) {
            throw new AssertionError("Expected " + count + " committed records on " + topic + " within " + timeout
                    + " but got " + records.size() + ": " + records);
        }
        return records;
    }

    /** Waits for the topic's metadata: a Streams app may still be creating the topic the test reads. */
    private List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> consumer, String topic, Instant deadline) {
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, ADMIN_TIMEOUT);
            if (!infos.isEmpty()) {
                return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Topic " + topic + " does not exist on " + this);
            }
            backOff();
        }
    }

    // An unknown topic answers at once; back off briefly rather than spin on metadata requests.
    private static void backOff() {
        try {
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for topic metadata", e);
        }
    }

    /** Called before each test so generated topic names say which test made them. */
    void startTest(String testName) {
        // Kafka allows 249 characters, and Streams appends "-<store>-changelog" to application ids made here.
        currentTest = testName.length() <= MAX_TEST_NAME ? testName : testName.substring(0, MAX_TEST_NAME);
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminProperties());
        }
        return admin;
    }

    private <T> T await(Future<T> future, String what) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not " + what + " on " + this, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + what, e);
        }
    }

    @Override
    public synchronized void close() {
        try (broker) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaCluster[" + broker.description() + " at " + bootstrapServers() + "]";
    }
}
