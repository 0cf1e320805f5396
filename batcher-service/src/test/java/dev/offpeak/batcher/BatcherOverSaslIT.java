package dev.offpeak.batcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batcher against a broker that requires SASL/PLAIN, configured only from its environment: the
 * shared pass-through reaches every Kafka Streams client (consumers, exactly-once producers, admin),
 * so tasks come out accepted and packed; with a wrong password the instance stops in ERROR (which
 * makes {@code BatcherMain} exit 1) instead of waiting forever.
 */
@RealKafka(sasl = true)
class BatcherOverSaslIT {
    private static final int TASKS = 12;

    @BeforeAll
    static void topics(KafkaCluster kafka) {
        for (var topic : List.of(Topics.TASKS, Topics.JOBS, Topics.TASK_ACCEPTED, Topics.BATCH_ITEMS)) {
            kafka.createTopic(topic.name(), 2);
        }
        kafka.createTopic(Topics.TASKS_DLQ.name(), 1);
    }

    private static Map<String, String> env(KafkaCluster kafka, Path state, String appId, Map<String, String> security) {
        Map<String, String> env = new HashMap<>();
        env.put(BatcherConfig.BOOTSTRAP, kafka.bootstrapServers());
        env.put(BatcherConfig.APPLICATION_ID, appId);
        env.put(BatcherConfig.STATE_DIR, state.toString());
        env.put(BatcherConfig.MAX_WAIT, "2s");
        env.put(BatcherConfig.CHECK_INTERVAL, "200ms");
        env.put(BatcherConfig.COMMIT_INTERVAL, "200ms");
        security.forEach((property, value) -> env.put("OFFPEAK_KAFKA_" + property.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        return env;
    }

    @Test
    void tasksComeOutAcceptedAndPackedWhenTheCredentialsComeThroughThePassThrough(KafkaCluster kafka, @TempDir Path state)
            throws Exception {
        Workload work = new Workload("sasl", TASKS, 0.0, 20, 7, Workload.MODELS.subList(0, 1));
        kafka.produce(work.tasks.stream().map(t -> new ProducerRecord<>(Topics.TASKS.name(), t.taskId().getBytes(StandardCharsets.UTF_8),
                t.json())).toList(), new ByteArraySerializer(), new ByteArraySerializer());
        BatcherConfig config = BatcherConfig.fromEnv(env(kafka, state, "sasl-it", kafka.clientSecurityProperties()));
        assertThat(config.describe()).contains("OFFPEAK_KAFKA_SASL_JAAS_CONFIG=****")
                .doesNotContain(KafkaCluster.SASL_ADMIN_PASSWORD);

        try (BatcherService service = BatcherService.start(config)) {
            assertThat(kafka.readCommitted(Topics.TASK_ACCEPTED.name(), TASKS, Duration.ofSeconds(30))).hasSize(TASKS);
            // one lane; its batch closes after MAX_WAIT: the request lines and the close marker
            assertThat(kafka.readCommitted(Topics.BATCH_ITEMS.name(), TASKS + 1, Duration.ofSeconds(20)))
                    .hasSizeGreaterThanOrEqualTo(TASKS + 1);
            assertThat(service.isRunning()).isTrue();
        }
    }

    @Test
    void aWrongPasswordStopsTheInstanceInErrorInsteadOfHanging(KafkaCluster kafka, @TempDir Path state) throws Exception {
        BatcherConfig config = BatcherConfig.fromEnv(env(kafka, state, "sasl-it-refused",
                KafkaCluster.saslPlain(KafkaCluster.SASL_ADMIN, "not-the-password")));

        try (BatcherService service = BatcherService.start(config)) {
            assertThat(service.terminated().get(20, TimeUnit.SECONDS)).isEqualTo(KafkaStreams.State.ERROR);
        }
    }
}
