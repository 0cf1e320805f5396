package dev.offpeak.ingest;

import static dev.offpeak.ingest.TestTenants.ACME_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throws hundreds of malformed requests (generated from a fixed seed, so a failure reproduces) at
 * one running service: each must get a 4xx in the one error format, and the service must still
 * accept a good task afterwards.
 */
@RealKafka
class MalformedInputFuzzIT {
    private static final long SEED = 20261123L;

    @Test
    void everyMalformedBodyGetsA4xxAndTheServiceKeepsServing(KafkaCluster kafka, @TempDir Path dir) {
        List<MalformedBodies.Case> cases = new MalformedBodies(SEED).generate();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(200);
        try (RunningService running = RunningService.start(kafka, dir)) {
            Http http = running.http();
            List<String> wrong = new ArrayList<>();
            for (MalformedBodies.Case c : cases) {
                Http.Response response = http.post(c.path(), ACME_TOKEN, c.contentType(), c.body());
                boolean clientError = response.status() >= 400 && response.status() < 500;
                boolean errorFormat = clientError && response.json().path("error").path("code").isTextual();
                if (!errorFormat) {
                    wrong.add(c.name() + " -> " + response);
                }
            }
            assertThat(wrong).as("cases not answered with a 4xx in the error format").isEmpty();

            Http.Response good = http.post("/v1/tasks", ACME_TOKEN, "application/json", Tasks.chat("after-fuzz"));
            assertThat(good.status()).as(good.toString()).isEqualTo(202);
            assertThat(http.get("/health/live").status()).isEqualTo(200);
            assertThat(kafka.readCommitted(running.tasksTopic(), 1, new StringDeserializer(),
                    Topics.TASKS.valueSerde().deserializer(), java.time.Duration.ofSeconds(30)))
                    .extracting(r -> r.value().taskId()).containsExactly("after-fuzz");
        }
    }
}
