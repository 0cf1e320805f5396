package dev.offpeak.cli.local;

import dev.offpeak.schemas.topics.Topic;
import dev.offpeak.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node KRaft broker in this JVM whose logs live under a folder we keep: formatted on
 * the first start only, so a restart finds every topic, offset and transaction where it was.
 */
public final class LocalKafka implements AutoCloseable {
    /** Pipeline topics with more than one partition, so the services' parallel paths are exercised. */
    static final int PARTITIONS = 4;
    private static final String FORMATTED_MARKER = ".offpeak-formatted";

    private final KafkaClusterTestKit kit;

    private LocalKafka(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    public static LocalKafka start(Path dir, String clusterId) throws Exception {
        Files.createDirectories(dir);
        boolean formatted = Files.exists(dir.resolve(FORMATTED_MARKER));
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                .setClusterId(clusterId)
                .setBaseDirectory(dir)
                // the default is an unstable testing version; run what production runs
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(false);
        singleNodeConfig().forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            if (!formatted) {
                formatQuietly(kit);
                Files.writeString(dir.resolve(FORMATTED_MARKER), clusterId);
            }
            kit.startup();
            kit.waitForReadyBrokers();
            LocalKafka kafka = new LocalKafka(kit);
            kafka.createTopics();
            return kafka;
        } catch (Exception | Error e) {
            try {
                kit.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The test kit's format prints its bootstrap records to stdout; a terminal user has no use for them. */
    private static void formatQuietly(KafkaClusterTestKit kit) throws Exception {
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            kit.format();
        } finally {
            System.setOut(stdout);
        }
    }

    /** What a one-broker cluster needs: internal topics default to replication factor 3 and never come up. */
    static Map<String, Object> singleNodeConfig() {
        return Map.of(
                "offsets.topic.replication.factor", "1",
                "offsets.topic.num.partitions", "4",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "4",
                "group.initial.rebalance.delay.ms", "0",
                "auto.create.topics.enable", "false");
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** Creates the pipeline topics that do not exist yet (all of them on the first start). */
    private void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> topic : Topics.all()) {
                if (!existing.contains(topic.name())) {
                    int partitions = topic == Topics.TASKS_DLQ ? 1 : PARTITIONS;
                    missing.add(new NewTopic(topic.name(), partitions, (short) 1));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
