package dev.offpeak.testsupport;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** Starts (or, in external mode, just locates) a single Kafka broker for one of the three modes. */
final class KafkaBrokers {
    static final String DEFAULT_IMAGE = "apache/kafka:4.3.1";
    private static final Logger log = LoggerFactory.getLogger(KafkaBrokers.class);

    private KafkaBrokers() {}

    static KafkaBroker start(InfraMode mode, Map<String, String> env, Map<String, String> brokerConfig) throws Exception {
        return start(mode, env, brokerConfig, false);
    }

    /** As above; {@code sasl}: a SASL/PLAIN broker, always embedded (see {@link RealKafka#sasl()}). */
    static KafkaBroker start(InfraMode mode, Map<String, String> env, Map<String, String> brokerConfig, boolean sasl)
            throws Exception {
        long started = System.nanoTime();
        if (sasl && mode != InfraMode.EMBEDDED) {
            log.info("@RealKafka(sasl = true): starting an embedded SASL broker although the mode is {}", mode.envValue());
        }
        KafkaBroker broker = sasl ? embedded(brokerConfig, SecurityProtocol.SASL_PLAINTEXT) : switch (mode) {
            case EMBEDDED -> embedded(brokerConfig);
            case TESTCONTAINERS -> container(env.getOrDefault(TestInfra.KAFKA_IMAGE, DEFAULT_IMAGE), brokerConfig);
            case EXTERNAL -> external(env, brokerConfig);
        };
        log.info("Kafka {} ready at {} in {} ms", broker.description(), broker.bootstrapServers(),
                (System.nanoTime() - started) / 1_000_000);
        return broker;
    }

    /**
     * Single-node settings a one-broker cluster needs: the internal topics default to replication factor 3,
     * and without RF 1 a consumer group never joins and a transaction never starts.
     */
    static Map<String, String> singleNodeConfig(Map<String, String> overrides) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("offsets.topic.replication.factor", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        // 50 partitions each by default: creating them dominates the first group join and first transaction.
        config.put("offsets.topic.num.partitions", "4");
        config.put("transaction.state.log.num.partitions", "4");
        config.putAll(overrides);
        return config;
    }

    static KafkaBroker embedded(Map<String, String> brokerConfig) throws Exception {
        return embedded(brokerConfig, SecurityProtocol.PLAINTEXT);
    }

    /**
     * {@code protocol} SASL_PLAINTEXT: the test kit turns on PLAIN on the broker and controller listeners, writes a JAAS file with users {@value KafkaCluster#SASL_ADMIN} and
     * {@value KafkaCluster#SASL_USER} and points the JVM-wide {@code java.security.auth.login.config}
     * at it, and adds the StandardAuthorizer with {@value KafkaCluster#SASL_ADMIN} as the only super
     * user and {@code allow.everyone.if.no.acl.found=false} (all set with putIfAbsent: brokerConfig wins).
     */
    static KafkaBroker embedded(Map<String, String> brokerConfig, SecurityProtocol protocol) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setBrokerSecurityProtocol(protocol)
                // A PLAINTEXT controller listener would see the broker as User:ANONYMOUS, which the authorizer
                // refuses CLUSTER_ACTION: broker registration then fails until start-up times out.
                .setControllerSecurityProtocol(protocol)
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                // The default is an unstable testing version; test what production runs.
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        singleNodeConfig(brokerConfig).forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            kit.format(); // the test kit does not format storage on startup
            kit.startup();
            kit.waitForReadyBrokers();
            return protocol == SecurityProtocol.SASL_PLAINTEXT
                    ? new KafkaBroker(kit.bootstrapServers(), KafkaCluster.saslPlain(KafkaCluster.SASL_ADMIN,
                            KafkaCluster.SASL_ADMIN_PASSWORD), "embedded SASL_PLAINTEXT (KafkaClusterTestKit)", kit)
                    : new KafkaBroker(kit.bootstrapServers(), "embedded (KafkaClusterTestKit)", kit);
        } catch (Exception | Error e) {
            closeQuietly(kit, e);
            throw e;
        }
    }

    static KafkaBroker container(String image, Map<String, String> brokerConfig) {
        @SuppressWarnings("resource") // closed through the returned KafkaBroker
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"));
        // The apache/kafka image maps KAFKA_FOO_BAR to foo.bar.
        singleNodeConfig(brokerConfig).forEach((key, value) ->
                container.withEnv("KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        try {
            container.start();
            return new KafkaBroker(container.getBootstrapServers(), "container " + image, container::stop);
        } catch (RuntimeException e) {
            container.stop();
            throw e;
        }
    }

    static KafkaBroker external(Map<String, String> env, Map<String, String> brokerConfig) {
        String bootstrap = TestInfra.required(env, TestInfra.KAFKA_BOOTSTRAP, "localhost:9092");
        if (!brokerConfig.isEmpty()) {
            log.warn("Ignoring brokerConfig {}: an external broker is configured by whoever runs it", brokerConfig);
        }
        return new KafkaBroker(bootstrap, "external", () -> { });
    }

    private static void closeQuietly(AutoCloseable resource, Throwable cause) {
        try {
            resource.close();
        } catch (Exception suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
