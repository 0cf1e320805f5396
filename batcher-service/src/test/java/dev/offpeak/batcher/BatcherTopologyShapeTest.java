package dev.offpeak.batcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.schemas.pricing.ModelRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** The topology's shape: one repartition topic, and dedup and packing in the sub-topology that reads the input. */
class BatcherTopologyShapeTest {
    private static final TopologyDescription DESCRIBED = BatcherTopology.build(
            BatcherConfig.fromEnv(Map.of(BatcherConfig.BOOTSTRAP, "unused:9092")), ModelRegistry.loadDefault(),
            new BatcherMetrics(new SimpleMeterRegistry()), 4).describe();

    private static Set<String> topics(TopologyDescription.Subtopology sub, boolean sources) {
        Set<String> topics = new HashSet<>();
        for (TopologyDescription.Node node : sub.nodes()) {
            if (sources && node instanceof TopologyDescription.Source s) {
                topics.addAll(s.topicSet());
            } else if (!sources && node instanceof TopologyDescription.Sink s) {
                topics.add(s.topic());
            }
        }
        return topics;
    }

    @Test
    void exactlyOneRepartitionTopicTheByPackingKeyOne() {
        Set<String> internal = new HashSet<>();
        for (TopologyDescription.Subtopology sub : DESCRIBED.subtopologies()) {
            topics(sub, true).stream().filter(t -> t.endsWith("-repartition")).forEach(internal::add);
            topics(sub, false).stream().filter(t -> t.endsWith("-repartition")).forEach(internal::add);
        }
        assertThat(internal).containsExactly("by-packing-key-repartition");
    }

    @Test
    void dedupAndPackingRunWhereTasksAreReadInPlaceAndWhereTheRepartitionArrives() {
        List<TopologyDescription.Subtopology> subs = List.copyOf(DESCRIBED.subtopologies());
        assertThat(subs).hasSize(1);
        TopologyDescription.Subtopology only = subs.getFirst();
        assertThat(topics(only, true)).containsExactlyInAnyOrder("offpeak.tasks", "offpeak.jobs", "by-packing-key-repartition");
        assertThat(topics(only, false)).containsExactlyInAnyOrder("by-packing-key-repartition", "offpeak.tasks.dlq",
                "offpeak.task-accepted", "offpeak.batch-items");
        assertThat(only.nodes()).extracting(TopologyDescription.Node::name)
                .contains("task-intake", "dedup", "pack", "in-place-and-moved");
        assertThat(DESCRIBED.globalStores()).isEmpty();
    }
}
