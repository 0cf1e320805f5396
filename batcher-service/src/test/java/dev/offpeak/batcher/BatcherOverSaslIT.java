package dev.offpeak.batcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batcher against a broker that requires SASL/PLAIN, configured only from its environment: the
 * shared pass-through reaches every Kafka Streams client (consumers, exactly-once producers, admin),
 * so tasks come out accepted and packed; with a wrong password the start fails at once, naming the
 * cause (which makes {@code BatcherMain} exit 1), instead of waiting forever.
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
    void aWrongPasswordFailsTheStartNamingTheCauseInsteadOfHanging(KafkaCluster kafka, @TempDir Path state) {
        BatcherConfig config = BatcherConfig.fromEnv(env(kafka, state, "sasl-it-refused",
                KafkaCluster.saslPlain(KafkaCluster.SASL_ADMIN, "not-the-password")));

        // the first client is the one reading offpeak.tasks' partition count: it fails at once (BatcherMain exits 1)
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> BatcherService.start(config)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot read the partition count of offpeak.tasks: SaslAuthenticationException");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }
}
