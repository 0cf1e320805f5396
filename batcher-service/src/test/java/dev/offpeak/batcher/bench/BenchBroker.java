package dev.offpeak.batcher.bench;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * An in-process single-node KRaft broker for the bench, with the settings test-support's
 * KafkaExtension uses. (test-support starts its broker only through the JUnit extension; a main
 * class cannot reach it, so this repeats its few lines.)
 */
final class BenchBroker implements AutoCloseable {
    private final KafkaClusterTestKit kit;

    BenchBroker() throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction()).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        Map.of("offsets.topic.replication.factor", "1", "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1", "group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "4", "transaction.state.log.num.partitions", "4")
                .forEach(builder::setConfigProp);
        kit = builder.build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
    }

    String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /**
     * Creates the topics and returns once every partition has a leader: an idempotent producer
     * writing to partitions still without one met OutOfOrderSequenceException and lost records.
     */
    void createTopics(int partitions, String... names) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            List<NewTopic> topics = java.util.Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
            admin.createTopics(topics).all().get();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!allLed(admin, partitions, names)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics without leaders after 60 s: " + List.of(names));
                }
                Thread.sleep(50);
            }
        }
    }

    private static boolean allLed(Admin admin, int partitions, String... names) throws Exception {
        try {
            return admin.describeTopics(List.of(names)).allTopicNames().get().values().stream()
                    .allMatch(t -> t.partitions().size() == partitions
                            && t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return false; // created, not yet in this broker's metadata
            }
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
