package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.emulator.ProviderEmulator;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.metrics.ResultMetrics;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.PostgresDatabase;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * result-service against a broker that requires SASL/PLAIN, configured only from its environment:
 * the shared pass-through reaches its consumer (batch items come in) and its producer (task.completed
 * goes out). With a wrong password the intake loop's rounds fail on the authentication error within
 * seconds, counted and logged, and nothing is ingested.
 */
@RealKafka(sasl = true)
@RealPostgres
class ResultOverSaslIT {
    private static final int TASKS = 3;

    @BeforeAll
    static void topics(KafkaCluster kafka) {
        for (var topic : Topics.all()) {
            kafka.createTopic(topic.name(), 1);
        }
    }

    private static Map<String, String> env(KafkaCluster kafka, PostgresDatabase db, Path temp, String instance,
            ProviderEmulator emulator, Map<String, String> security) {
        Map<String, String> env = new HashMap<>();
        env.put(ResultConfig.DB_URL, db.jdbcUrl());
        env.put(ResultConfig.DB_USER, db.user());
        env.put(ResultConfig.DB_PASSWORD, db.password());
        env.put(ResultConfig.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        env.put(ResultConfig.GROUP_ID, "result-" + instance);
        env.put(ResultConfig.INSTANCE, instance);
        env.put(ResultConfig.TICK, "100ms");
        env.put(ResultConfig.FIRST_POLL, "200ms");
        env.put(ResultConfig.POLL_MAX, "1s");
        env.put(ResultConfig.SPOOL_DIR, temp.resolve("spool").toString());
        env.put(ResultConfig.HTTP_PORT, "0");
        env.put(ResultConfig.OPENAI_BASE_URL, emulator.openAiBaseUrl());
        env.put(ResultConfig.OPENAI_API_KEY, "emulator");
        security.forEach((property, value) -> env.put("OFFPEAK_KAFKA_" + property.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        return env;
    }

    private static ProviderEmulator emulator(Path temp) {
        return ProviderEmulator.start(EmulatorConfig.defaults().withSpeed(EmulatorConfig.Speed.fast())
                .withDataDir(temp.resolve("emu")));
    }

    private static long count(Db sql, String query) {
        return sql.queryOne(query, rs -> rs.getLong(1)).orElseThrow();
    }

    @Test
    void itsConsumerReadsAndItsProducerPublishesWhenTheCredentialsComeThroughThePassThrough(KafkaCluster kafka,
            PostgresDatabase db, @TempDir Path temp) throws Exception {
        try (ProviderEmulator emulator = emulator(temp)) {
            ResultConfig config = ResultConfig.fromEnv(env(kafka, db, temp, "sasl-ok", emulator,
                    kafka.clientSecurityProperties()));
            assertThat(config.describe()).contains("OFFPEAK_KAFKA_SASL_JAAS_CONFIG=****")
                    .doesNotContain(KafkaCluster.SASL_ADMIN_PASSWORD);

            try (ResultService service = ResultService.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                PipelineFixture.publish(kafka, Topics.TASK_ACCEPTED.name(), Topics.BATCH_ITEMS.name(),
                        PipelineFixture.batch("b-sasl", PipelineFixture.OPENAI, TASKS, 0, Instant.now()));

                // the topics are the class's: the other test's batch may be there too, and is ingested here as well
                Db sql = new Db(db.dataSource());
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(
                        count(sql, "SELECT count(*) FROM tasks WHERE status = 'succeeded' AND task_id LIKE 'b-sasl-%'"))
                        .isEqualTo(TASKS));
                int succeeded = (int) count(sql, "SELECT count(*) FROM tasks WHERE status = 'succeeded'");
                var completed = kafka.readCommitted(Topics.TASK_COMPLETED.name(), succeeded, Duration.ofSeconds(20));
                assertThat(completed.stream().map(r -> r.key()).filter(k -> k.startsWith("b-sasl-")).distinct())
                        .hasSize(TASKS);
            }
        }
    }

    @Test
    void aWrongPasswordFailsTheIntakeRoundsAtOnceAndIngestsNothing(KafkaCluster kafka, PostgresDatabase db,
            @TempDir Path temp) throws Exception {
        try (ProviderEmulator emulator = emulator(temp)) {
            ResultConfig config = ResultConfig.fromEnv(env(kafka, db, temp, "sasl-refused", emulator,
                    KafkaCluster.saslPlain(KafkaCluster.SASL_ADMIN, "not-the-password")));
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

            try (ResultService service = ResultService.start(config, registry)) {
                PipelineFixture.publish(kafka, Topics.TASK_ACCEPTED.name(), Topics.BATCH_ITEMS.name(),
                        PipelineFixture.batch("b-refused", PipelineFixture.OPENAI, TASKS, 0, Instant.now()));

                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                        registry.get(ResultMetrics.LOOP_FAILURES).tag("loop", "intake").counter().count()).isPositive());
                assertThat(count(new Db(db.dataSource()), "SELECT count(*) FROM tasks")).isZero();
            }
        }
    }
}
