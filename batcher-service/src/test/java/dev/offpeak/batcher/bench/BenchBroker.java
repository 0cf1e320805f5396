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

    void createTopics(int partitions, String... names) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            List<NewTopic> topics = java.util.Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
            admin.createTopics(topics).all().get();
        }
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
