package dev.offpeak.batcher;

import dev.offpeak.schemas.packing.PackingKey;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions the by-packing-key topic: a task goes to its packing key's partition ({@link
 * PackingKey#partition}, what Kafka's default partitioner picks, so exactly where the fast path
 * would have found it), a job seal goes to every partition, because the job may have lines in any
 * of them.
 */
final class PackingPartitioner implements StreamPartitioner<String, PackingInput> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, PackingInput value, int numPartitions) {
        if (value instanceof PackingInput.Seal) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
        }
        return Optional.of(Set.of(PackingKey.partition(key, numPartitions)));
    }
}
