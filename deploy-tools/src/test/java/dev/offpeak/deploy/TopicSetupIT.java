package dev.offpeak.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offpeak.schemas.topics.Topic;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TopicSetup against a real KRaft broker: it creates every topic of {@link Topics#all()} with the
 * planned settings, a second run changes nothing, and partition counts are raised but never lowered.
 * The command-line test uses the real topic names (one broker per class); the others use the same
 * plan under unique names, so they do not depend on test order.
 */
@RealKafka
class TopicSetupIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final KafkaCluster kafka;
    private Admin admin;

    TopicSetupIT(KafkaCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeEach
    void admin() {
        admin = Admin.create(kafka.adminProperties());
    }

    @AfterEach
    void close() {
        admin.close(Duration.ofSeconds(5));
    }

    @Test
    void commandCreatesEveryTopicWithItsSettingsAndASecondRunChangesNothing() throws Exception {
        Run first = run("--bootstrap", kafka.bootstrapServers(), "--replication-factor", "1");
        assertThat(first.exit).as(first.err).isZero();
        assertThat(first.out).contains("change(s) applied");

        List<TopicSpec> plan = TopicPlan.of(OptionalInt.empty(), (short) 1);
        assertThat(plan).extracting(TopicSpec::name)
                .containsExactlyElementsOf(Topics.all().stream().map(Topic::name).toList());
        for (TopicSpec spec : plan) {
            assertMatches(spec);
        }
        assertThat(plan).filteredOn(s -> s.name().equals(Topics.TASKS.name())).singleElement()
                .satisfies(s -> assertThat(Integer.parseInt(s.configs().get("max.message.bytes")))
                        .as("large task bodies").isGreaterThanOrEqualTo(16 * 1024 * 1024));

        Run second = run("--bootstrap", kafka.bootstrapServers(), "--replication-factor", "1");
        assertThat(second.exit).as(second.err).isZero();
        assertThat(second.out).contains("all " + plan.size() + " topics already as planned; nothing changed");
    }

    @Test
    void partitionsAreRaisedButNeverLowered() throws Exception {
        List<TopicSpec> plan = renamed(TopicPlan.of(OptionalInt.of(2), (short) 1));
        TopicReconciler reconciler = new TopicReconciler(admin, TIMEOUT);
        assertThat(reconciler.apply(plan).changes()).hasSize(plan.size());

        List<TopicSpec> more = plan.stream().map(s -> s.withPartitions(5)).toList();
        TopicReconciler.Report raised = reconciler.apply(more);
        assertThat(raised.changes()).hasSize(plan.size()).allMatch(c -> c.startsWith("raised partitions"));
        for (TopicSpec spec : more) {
            assertThat(describe(spec.name()).partitions()).hasSize(5);
        }

        TopicReconciler.Report lowered = reconciler.apply(plan);
        assertThat(lowered.changes()).isEmpty();
        assertThat(lowered.notes()).hasSize(plan.size()).allMatch(n -> n.contains("never lowered"));
        for (TopicSpec spec : plan) {
            assertThat(describe(spec.name()).partitions()).hasSize(5);
        }
    }

    @Test
    void driftedConfigsAndMissingPartitionsAreRepairedOthersLeftAlone() throws Exception {
        List<TopicSpec> plan = renamed(TopicPlan.of(OptionalInt.empty(), (short) 1));
        TopicReconciler reconciler = new TopicReconciler(admin, TIMEOUT);
        reconciler.apply(plan);
        TopicSpec tasks = plan.getFirst();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, tasks.name());
        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("retention.ms", "1000"),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET),
                new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("segment.ms", "3600000"),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        admin.createPartitions(Map.of(plan.get(1).name(), NewPartitions.increaseTo(plan.get(1).partitions() + 1)))
                .all().get(30, TimeUnit.SECONDS);
        // the controller took the changes; wait until the broker serves them
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(config(tasks.name()).get("retention.ms").value()).isEqualTo("1000");
            assertThat(describe(plan.get(1).name()).partitions()).hasSize(plan.get(1).partitions() + 1);
        });

        TopicReconciler.Report report = reconciler.apply(plan);
        assertThat(report.changes()).containsExactly(
                "set retention.ms of " + tasks.name() + " from 1000 to " + tasks.configs().get("retention.ms"));
        assertMatches(tasks);
        assertThat(config(tasks.name()).get("segment.ms").value()).as("an operator's own setting is kept")
                .isEqualTo("3600000");
        assertThat(reconciler.apply(plan).changes()).isEmpty();
    }

    private List<TopicSpec> renamed(List<TopicSpec> plan) {
        return plan.stream().map(s -> s.withName(kafka.uniqueTopic(s.name()))).toList();
    }

    private void assertMatches(TopicSpec spec) throws Exception {
        TopicDescription description = describe(spec.name());
        assertThat(description.partitions()).as("partitions of " + spec.name()).hasSize(spec.partitions());
        assertThat(description.partitions().getFirst().replicas()).hasSize(spec.replicationFactor());
        Config config = config(spec.name());
        spec.configs().forEach((key, value) ->
                assertThat(config.get(key).value()).as(key + " of " + spec.name()).isEqualTo(value));
    }

    private TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    }

    private Config config(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = TopicSetup.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }
}
