package dev.offpeak.deploy;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one topic should look like: its partition count (a floor: never lowered), replication factor
 * (used when the topic is created) and the topic-level configs this tool owns. Configs not named here
 * are left as an operator set them.
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("Invalid value " + partitions + " for partitions of " + name + ": must be >= 1");
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException(
                    "Invalid value " + replicationFactor + " for replication factor of " + name + ": must be >= 1");
        }
        configs = Map.copyOf(new TreeMap<>(configs));
    }

    public TopicSpec withName(String newName) {
        return new TopicSpec(newName, partitions, replicationFactor, configs);
    }

    public TopicSpec withPartitions(int newPartitions) {
        return new TopicSpec(name, newPartitions, replicationFactor, configs);
    }
}
