package dev.offpeak.batcher;

import dev.offpeak.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition count of {@code offpeak.tasks}, read once at start: the by-packing-key repartition
 * topic must have exactly as many partitions, so that a task its producer keyed by packing key is
 * already where the batcher packs it (the fast path). The topic is created by the deploy's topic
 * setup, which may still be running when the batcher starts, so a missing topic (or a broker not
 * answering yet) is waited for, with a log line per attempt, up to {@link #WAIT}; anything else (a
 * refused login, a missing ACL) fails at once, naming the cause.
 */
final class TaskPartitions {
    static final Duration WAIT = Duration.ofMinutes(2);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(TaskPartitions.class);

    private TaskPartitions() {}

    /** {@code adminProperties}: the batcher's admin client settings (bootstrap, pass-through, timeouts). */
    static int read(Properties adminProperties) {
        String topic = Topics.TASKS.name();
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (Admin admin = Admin.create(adminProperties)) {
            for (int attempt = 1; ; attempt++) {
                try {
                    TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                    return described.partitions().size();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    boolean retriable = cause instanceof UnknownTopicOrPartitionException || cause instanceof TimeoutException;
                    if (!retriable) {
                        throw new IllegalStateException("cannot read the partition count of " + topic + ": "
                                + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("topic " + topic + " "
                                + (cause instanceof UnknownTopicOrPartitionException ? "does not exist" : "could not be described")
                                + " after " + WAIT.toSeconds() + " s (" + cause.getMessage() + "); the batcher sizes its "
                                + "repartition topic by it: create it (deploy-tools' topic setup) and start again", cause);
                    }
                    log.info("waiting for topic {} ({}: {}), attempt {}, giving up {} s after start", topic,
                            cause.getClass().getSimpleName(), cause.getMessage(), attempt, WAIT.toSeconds());
                    Thread.sleep(RETRY.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the partition count of " + topic, e);
        }
    }
}
