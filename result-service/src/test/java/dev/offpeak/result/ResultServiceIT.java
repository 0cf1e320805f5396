package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.emulator.ProviderEmulator;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.PostgresDatabase;
import dev.offpeak.testsupport.RealKafka;
import dev.offpeak.testsupport.RealPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** result-service as it runs in production: configured from the environment, its own loops, real time. */
@RealKafka
@RealPostgres
class ResultServiceIT {

    @Test
    void startsFromItsEnvironmentSettlesBatchesOfEveryProviderAndStopsCleanly(KafkaCluster kafka, PostgresDatabase db,
            @TempDir Path temp) {
        for (var topic : Topics.all()) {
            kafka.createTopic(topic.name(), 2);
        }
        try (ProviderEmulator emulator = ProviderEmulator.start(EmulatorConfig.defaults()
                .withSpeed(EmulatorConfig.Speed.fast()).withDataDir(temp.resolve("emu")))) {
            Map<String, String> env = new HashMap<>();
            env.put("OFFPEAK_DB_URL", db.jdbcUrl());
            env.put("OFFPEAK_DB_USER", db.user());
            env.put("OFFPEAK_DB_PASSWORD", db.password());
            env.put("OFFPEAK_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
            env.put("OFFPEAK_RESULT_TICK", "100ms");
            env.put("OFFPEAK_RESULT_FIRST_POLL", "200ms");
            env.put("OFFPEAK_RESULT_POLL_MAX", "1s");
            env.put("OFFPEAK_RESULT_SPOOL_DIR", temp.resolve("spool").toString());
            env.put("OFFPEAK_OPENAI_BASE_URL", emulator.openAiBaseUrl());
            env.put("OFFPEAK_OPENAI_API_KEY", "emulator");
            env.put("OFFPEAK_ANTHROPIC_BASE_URL", emulator.anthropicBaseUrl());
            env.put("OFFPEAK_ANTHROPIC_API_KEY", "emulator");
            env.put("OFFPEAK_GEMINI_BASE_URL", emulator.geminiBaseUrl());
            env.put("OFFPEAK_GEMINI_API_KEY", "emulator");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (ResultService service = ResultService.start(ResultConfig.fromEnv(env), registry)) {
                Instant now = Instant.now();
                PipelineFixture.publish(kafka, Topics.TASK_ACCEPTED.name(), Topics.BATCH_ITEMS.name(),
                        PipelineFixture.batch("b-svc-openai", PipelineFixture.OPENAI, 20, 3, now));
                PipelineFixture.publish(kafka, Topics.TASK_ACCEPTED.name(), Topics.BATCH_ITEMS.name(),
                        PipelineFixture.batch("b-svc-anthropic", PipelineFixture.ANTHROPIC, 10, 0, now));
                PipelineFixture.publish(kafka, Topics.TASK_ACCEPTED.name(), Topics.BATCH_ITEMS.name(),
                        PipelineFixture.batch("b-svc-gemini", PipelineFixture.GEMINI, 10, 1, now));
                Db sql = new Db(db.dataSource());
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                        assertThat(sql.queryOne("SELECT count(*) FROM tasks WHERE status = 'succeeded'",
                                rs -> rs.getLong(1)).orElseThrow()).isEqualTo(44));
                assertThat(sql.queryOne("SELECT count(*) FROM batches WHERE state = 'settled'", rs -> rs.getLong(1))
                        .orElseThrow()).isEqualTo(3);
                assertThat(registry.find("offpeak.result.lines.settled").counters().stream()
                        .mapToDouble(c -> c.count()).sum()).isEqualTo(40.0);
                assertThat(emulator.counters().batchesCreated(dev.offpeak.emulator.Provider.OPENAI)).isEqualTo(1);
                var events = kafka.readCommitted(Topics.TASK_COMPLETED.name(), 44, Duration.ofSeconds(30));
                assertThat(events.stream().map(e -> e.key()).distinct()).hasSize(44);
            }
        }
    }
}
