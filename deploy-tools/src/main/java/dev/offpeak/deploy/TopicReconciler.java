package dev.offpeak.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Brings a cluster to a {@link TopicSpec} list, idempotently: creates missing topics, raises partition
 * counts that are below the plan (never lowers one: that would move keys), sets owned configs that
 * differ. A second run against the same cluster changes nothing and says so. Replication factors of
 * existing topics are reported, not changed (that needs a partition reassignment).
 */
public final class TopicReconciler {
    /** What one run did (changes) and what it saw but left alone (notes). */
    public record Report(List<String> changes, List<String> notes) {
        public Report {
            changes = List.copyOf(changes);
            notes = List.copyOf(notes);
        }
    }

    private final Admin admin;
    private final Duration timeout;

    public TopicReconciler(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    public Report apply(List<TopicSpec> plan) {
        List<String> changes = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Set<String> existing = await(admin.listTopics().names(), "list topics");
        List<TopicSpec> missing = plan.stream().filter(s -> !existing.contains(s.name())).toList();
        List<TopicSpec> present = plan.stream().filter(s -> existing.contains(s.name())).toList();
        create(missing, changes, notes);
        Map<String, Integer> expected = new HashMap<>();
        missing.forEach(m -> expected.put(m.name(), m.partitions()));
        if (!present.isEmpty()) {
            Map<String, TopicDescription> descriptions =
                    await(admin.describeTopics(present.stream().map(TopicSpec::name).toList()).allTopicNames(),
                            "describe topics");
            for (TopicSpec spec : present) {
                expected.put(spec.name(), partitions(spec, descriptions.get(spec.name()), changes, notes));
            }
            configs(present, changes);
        }
        awaitVisible(expected);
        return new Report(changes, notes);
    }

    private void create(List<TopicSpec> missing, List<String> changes, List<String> notes) {
        for (TopicSpec spec : missing) {
            NewTopic topic = new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor()).configs(spec.configs());
            try {
                await(admin.createTopics(List.of(topic)).all(), "create topic " + spec.name());
                changes.add("created " + spec.name() + " (partitions " + spec.partitions() + ", replication "
                        + spec.replicationFactor() + ", " + spec.configs() + ")");
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // another run (a second replica of the set-up Job) created it between our list and create
                notes.add(spec.name() + " was created concurrently; run again to check its settings");
            }
        }
    }

    /** Raises the partition count if needed; returns the count the topic has after this run. */
    private int partitions(TopicSpec spec, TopicDescription description, List<String> changes, List<String> notes) {
        int current = description.partitions().size();
        if (current < spec.partitions()) {
            await(admin.createPartitions(Map.of(spec.name(), NewPartitions.increaseTo(spec.partitions()))).all(),
                    "raise partitions of " + spec.name());
            changes.add("raised partitions of " + spec.name() + " from " + current + " to " + spec.partitions());
        } else if (current > spec.partitions()) {
            notes.add(spec.name() + " keeps its " + current + " partitions (plan says " + spec.partitions()
                    + "; partitions are never lowered)");
        }
        int replication = description.partitions().getFirst().replicas().size();
        if (replication != spec.replicationFactor()) {
            notes.add(spec.name() + " has replication factor " + replication + " (plan says "
                    + spec.replicationFactor() + "; changing it needs a partition reassignment, not done here)");
        }
        return Math.max(current, spec.partitions());
    }

    /**
     * Metadata reaches every broker a moment after the controller accepted a change: wait until each
     * topic shows all its partitions, so whatever starts after this command (the services) finds them.
     */
    private void awaitVisible(Map<String, Integer> expected) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Integer> seen = new HashMap<>();
            try {
                admin.describeTopics(expected.keySet()).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .forEach((name, d) -> seen.put(name, d.partitions().size()));
            } catch (ExecutionException | TimeoutException e) {
                // not visible everywhere yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for topic metadata", e);
            }
            if (seen.equals(expected)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topics not visible with their partitions within " + timeout
                        + ": expected " + expected + ", saw " + seen);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for topic metadata", e);
            }
        }
    }

    private void configs(List<TopicSpec> present, List<String> changes) {
        List<ConfigResource> resources = present.stream()
                .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList();
        Map<ConfigResource, Config> current = await(admin.describeConfigs(resources).all(), "describe topic configs");
        Map<ConfigResource, Collection<AlterConfigOp>> alter = new HashMap<>();
        for (TopicSpec spec : present) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
            Config config = current.get(resource);
            spec.configs().forEach((key, wanted) -> {
                ConfigEntry entry = config.get(key);
                String actual = entry == null ? null : entry.value();
                if (!wanted.equals(actual)) {
                    alter.computeIfAbsent(resource, r -> new ArrayList<>())
                            .add(new AlterConfigOp(new ConfigEntry(key, wanted), AlterConfigOp.OpType.SET));
                    changes.add("set " + key + " of " + spec.name() + " from " + actual + " to " + wanted);
                }
            });
        }
        if (!alter.isEmpty()) {
            await(admin.incrementalAlterConfigs(alter).all(), "alter topic configs");
        }
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Could not " + what + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + what, e);
        }
    }
}
