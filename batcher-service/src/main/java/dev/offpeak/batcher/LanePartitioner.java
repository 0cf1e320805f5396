package dev.offpeak.batcher;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions the by-lane topic: a line goes to its lane's partition (murmur2 of the lane, as the
 * default partitioner would), a job seal goes to every partition, because the job may have lines
 * in any lane.
 */
final class LanePartitioner implements StreamPartitioner<String, LaneInput> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, LaneInput value, int numPartitions) {
        if (value instanceof LaneInput.Seal) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
        }
        int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % numPartitions;
        return Optional.of(Set.of(partition));
    }
}
