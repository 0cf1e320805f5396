package dev.offpeak.ingest;

import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single in-process KRaft broker this code owns and may stop at will: for tests that take the
 * broker away under the service, and for the benchmark's main method (outside JUnit). test-support
 * only hands out brokers through its JUnit extension; same settings as its embedded mode.
 */
public final class OwnBroker implements AutoCloseable {
    private final KafkaClusterTestKit kit;
    private boolean closed;

    private OwnBroker(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    public static OwnBroker start() throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBootstrapMetadataVersion(MetadataVersion.latestProduction()).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        Map.of("offsets.topic.replication.factor", "1",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "4").forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new OwnBroker(kit);
        } catch (Exception | Error e) {
            kit.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    @Override
    public synchronized void close() throws Exception {
        if (!closed) {
            closed = true;
            kit.close();
        }
    }
}
