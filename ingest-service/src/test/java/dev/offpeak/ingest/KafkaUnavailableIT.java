package dev.offpeak.ingest;

import static dev.offpeak.ingest.TestTenants.ACME_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.ingest.config.IngestConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka not there: every endpoint answers 503 with Retry-After, readiness says not ready, and no
 * line is ever reported accepted that the broker did not acknowledge.
 */
class KafkaUnavailableIT {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration MAX_BLOCK = Duration.ofSeconds(1);

    private static IngestConfig config(String bootstrap, Path dir) {
        return IngestConfig.defaults().withPort(0).withTokenFile(TestTenants.write(dir))
                .withKafka(bootstrap, "offpeak.tasks.it", "offpeak.jobs.it").withTimeouts(SEND_TIMEOUT, MAX_BLOCK);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void assertUnavailable(Http.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(503);
        assertThat(response.header("Retry-After")).isEqualTo("5");
        assertThat(response.json().path("error").path("code").asText()).isEqualTo("kafka_unavailable");
    }

    @Test
    void noBrokerMeans503OnEveryEndpointAndNotReady(@TempDir Path dir) throws IOException {
        try (IngestService service = IngestService.start(config("localhost:" + closedPort(), dir))) {
            Http http = new Http(service.baseUri());

            assertUnavailable(http.post("/v1/tasks", ACME_TOKEN, "application/json", Tasks.chat("d-1")));

            String bulk = IntStream.range(0, 50).mapToObj(i -> Tasks.chatLine("d-" + i))
                    .collect(Collectors.joining("\n")) + "\n{bad\n";
            Http.Response response = http.post("/v1/tasks:bulk", ACME_TOKEN, "application/x-ndjson", bulk);
            assertUnavailable(response);
            JsonNode json = response.json();
            assertThat(json.path("accepted").asInt()).isZero();
            assertThat(json.path("accepted_tasks").size()).isZero();
            assertThat(json.path("not_sent").asInt()).isEqualTo(50);
            assertThat(json.path("rejected").asInt()).isEqualTo(1);
            assertThat(json.path("rejected_lines").size()).isEqualTo(51);

            assertUnavailable(http.post("/v1/jobs/j-1/openai-batch", ACME_TOKEN, "application/jsonl",
                    Tasks.openAiLine("o-1")));
            assertUnavailable(http.post("/v1/jobs/j-1:seal", ACME_TOKEN, null, ""));

            assertThat(http.get("/health/live").status()).isEqualTo(200);
            Http.Response ready = http.get("/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().path("status").asText()).isEqualTo("not_ready");
            // bad input is still a 4xx, not a 503: it never needed Kafka
            assertThat(http.post("/v1/tasks", ACME_TOKEN, "application/json", "{").status()).isEqualTo(400);
        }
    }

    @Test
    void brokerStoppingUnderTheServiceTurnsAcceptsInto503s(@TempDir Path dir) throws Exception {
        OwnBroker broker = OwnBroker.start();
        try (Admin admin = Admin.create(java.util.Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(java.util.List.of(new NewTopic("offpeak.tasks.it", 3, (short) 1),
                    new NewTopic("offpeak.jobs.it", 1, (short) 1))).all().get();
        }
        try (IngestService service = IngestService.start(config(broker.bootstrapServers(), dir))) {
            Http http = new Http(service.baseUri());
            String bulk = IntStream.range(0, 100).mapToObj(i -> Tasks.chatLine("up-" + i))
                    .collect(Collectors.joining("\n"));
            Http.Response before = http.post("/v1/tasks:bulk", ACME_TOKEN, "application/x-ndjson", bulk);
            assertThat(before.status()).as(before.toString()).isEqualTo(202);
            assertThat(before.json().path("accepted").asInt()).isEqualTo(100);

            long stopping = System.nanoTime();
            broker.close();
            System.out.printf("broker stopped in %d ms%n", (System.nanoTime() - stopping) / 1_000_000);

            assertUnavailable(http.post("/v1/tasks", ACME_TOKEN, "application/json", Tasks.chat("down-1")));
            Http.Response after = http.post("/v1/tasks:bulk", ACME_TOKEN, "application/x-ndjson",
                    bulk.replace("up-", "down-"));
            assertUnavailable(after);
            assertThat(after.json().path("accepted").asInt()).isZero();
            assertThat(after.json().path("not_sent").asInt()).isEqualTo(100);
        } finally {
            broker.close();
        }
    }
}
