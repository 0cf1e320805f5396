package dev.offpeak.ingest;

import static dev.offpeak.ingest.TestTenants.ACME_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service against a broker that requires SASL/PLAIN, configured only from its environment: the
 * shared pass-through ({@code OFFPEAK_KAFKA_SECURITY_PROTOCOL}, {@code _SASL_MECHANISM},
 * {@code _SASL_JAAS_CONFIG}) reaches the producer and the readiness probe; with a wrong password
 * nothing is accepted, and both say why within {@code OFFPEAK_INGEST_MAX_BLOCK}.
 */
@RealKafka(sasl = true)
class IngestOverSaslIT {
    private static Map<String, String> env(KafkaCluster kafka, Path dir, Map<String, String> security) {
        Map<String, String> env = new HashMap<>();
        env.put(IngestConfig.BOOTSTRAP, kafka.bootstrapServers());
        env.put(IngestConfig.PORT, "0");
        env.put(IngestConfig.TOKEN_FILE, TestTenants.write(dir).toString());
        env.put(IngestConfig.TASKS_TOPIC, kafka.createUniqueTopic("tasks", 1));
        env.put(IngestConfig.JOBS_TOPIC, kafka.createUniqueTopic("jobs", 1));
        env.put(IngestConfig.MAX_BLOCK, "2s");
        env.put(IngestConfig.SEND_TIMEOUT, "5s");
        security.forEach((property, value) -> env.put("OFFPEAK_KAFKA_" + property.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), value));
        return env;
    }

    @Test
    void aTaskPostedIsOnTheTasksTopicWhenTheCredentialsComeThroughThePassThrough(KafkaCluster kafka, @TempDir Path dir) {
        Map<String, String> env = env(kafka, dir, kafka.clientSecurityProperties());
        assertThat(env).containsKeys("OFFPEAK_KAFKA_SECURITY_PROTOCOL", "OFFPEAK_KAFKA_SASL_MECHANISM",
                "OFFPEAK_KAFKA_SASL_JAAS_CONFIG");
        IngestConfig config = IngestConfig.fromEnv(env);
        assertThat(config.describe()).contains("OFFPEAK_KAFKA_SASL_JAAS_CONFIG=****")
                .doesNotContain(KafkaCluster.SASL_ADMIN_PASSWORD);

        try (IngestService service = IngestService.start(config)) {
            Http http = new Http(service.baseUri());
            Http.Response response = http.post("/v1/tasks", ACME_TOKEN, "application/json", Tasks.chat("sasl-1"));

            assertThat(response.status()).as(response.toString()).isEqualTo(202);
            ConsumerRecord<String, TaskSubmitted> record = kafka.readCommitted(config.tasksTopic(), 1,
                    new StringDeserializer(), Topics.TASKS.valueSerde().deserializer(), Duration.ofSeconds(20)).getFirst();
            assertThat(record.value().taskId()).isEqualTo("sasl-1");
            assertThat(record.key()).isEqualTo(PackingKey.of(record.value(), 1).key());
            assertThat(record.value().tenant()).isEqualTo("acme");
            Http.Response ready = http.get("/health/ready");
            assertThat(ready.status()).as(ready.toString()).isEqualTo(200);
        }
    }

    @Test
    void aWrongPasswordAcceptsNothingAndSaysSoWithinMaxBlock(KafkaCluster kafka, @TempDir Path dir) {
        IngestConfig config = IngestConfig.fromEnv(env(kafka, dir,
                KafkaCluster.saslPlain(KafkaCluster.SASL_ADMIN, "not-the-password")));

        try (IngestService service = IngestService.start(config)) {
            Http http = new Http(service.baseUri());
            long started = System.nanoTime();
            Http.Response response = http.post("/v1/tasks", ACME_TOKEN, "application/json", Tasks.chat("sasl-2"));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(response.status()).as(response.toString()).isEqualTo(503);
            assertThat(response.json().path("error").path("code").asText()).isEqualTo("kafka_unavailable");
            assertThat(response.body()).contains("SaslAuthenticationException");
            assertThat(took).isLessThan(Duration.ofSeconds(10));
            Http.Response ready = http.get("/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().path("kafka").asText()).isEqualTo("unreachable: SaslAuthenticationException");
        }
    }
}
