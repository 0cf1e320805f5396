package dev.offpeak.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.schemas.topics.Topic;
import dev.offpeak.schemas.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TopicPlanTest {
    @Test
    void everyTopicHasARowWithRetentionSizeAndDurability() {
        List<TopicSpec> plan = TopicPlan.of(OptionalInt.empty(), TopicPlan.DEFAULT_REPLICATION);
        assertThat(plan).extracting(TopicSpec::name).containsExactlyElementsOf(Topics.all().stream().map(Topic::name).toList());
        assertThat(plan).allSatisfy(spec -> {
            assertThat(spec.configs()).containsKeys("retention.ms", "max.message.bytes", "cleanup.policy");
            assertThat(spec.configs()).containsEntry("min.insync.replicas", "2");
            assertThat(spec.replicationFactor()).isEqualTo((short) 3);
        });
        assertThat(plan.stream().filter(s -> s.name().equals(Topics.BATCH_ITEMS.name())).findFirst().orElseThrow()
                .configs().get("max.message.bytes")).isEqualTo(String.valueOf(16 * TopicPlan.MIB));
    }

    @Test
    void aSingleBrokerPlanNeedsOneInSyncReplicaAndPartitionsCanBeOverridden() {
        assertThat(TopicPlan.of(OptionalInt.of(3), (short) 1)).allSatisfy(spec -> {
            assertThat(spec.partitions()).isEqualTo(3);
            assertThat(spec.configs()).containsEntry("min.insync.replicas", "1");
        });
        assertThat(TopicPlan.of(OptionalInt.empty(), (short) 2))
                .allSatisfy(spec -> assertThat(spec.configs()).containsEntry("min.insync.replicas", "1"));
    }

    @Test
    void badValuesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new TopicSpec("t", 0, (short) 1, java.util.Map.of()))
                .hasMessage("Invalid value 0 for partitions of t: must be >= 1");
        StringWriter err = new StringWriter();
        int exit = TopicSetup.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                "--bootstrap", "localhost:1", "--partitions", "0");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value 0 for --partitions: must be >= 1");
    }
}
