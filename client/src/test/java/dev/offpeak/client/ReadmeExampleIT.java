package dev.offpeak.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.schemas.validation.TaskValidator;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the README's ten lines against a real broker, on the default topics, and reads the result back. */
@RealKafka
class ReadmeExampleIT {
    @BeforeAll
    static void topics(KafkaCluster kafka) {
        kafka.createTopic(Topics.TASKS.name(), 3);
        kafka.createTopic(Topics.JOBS.name(), 1);
    }

    @Test
    void theReadmeExamplePublishesAValidTaskKeyedByTaskId(KafkaCluster kafka) {
        String bootstrap = kafka.bootstrapServers();

        // --- client/README.md, "Ten lines" (only the bootstrap address differs) ---
        try (OffpeakClient offpeak = OffpeakClient.builder()
                .bootstrapServers(bootstrap)
                .tenant("acme")
                .build()) {
            offpeak.task("review-42")
                    .openai("gpt-4o-mini", "/v1/chat/completions")
                    .request("{\"messages\": [{\"role\": \"user\", \"content\": \"Classify: great product\"}]}")
                    .metadata("feature", "reviews")
                    .submit()
                    .join();
        }
        // --- end of README lines ---

        ConsumerRecord<String, TaskSubmitted> record = kafka.readCommitted(Topics.TASKS.name(), 1,
                new StringDeserializer(), Topics.TASKS.valueSerde().deserializer(), Duration.ofSeconds(30)).getFirst();
        assertThat(record.key()).isEqualTo("review-42");
        TaskSubmitted task = record.value();
        assertThat(task.tenant()).isEqualTo("acme");
        assertThat(task.provider()).isEqualTo(Provider.OPENAI);
        assertThat(task.metadata()).containsEntry("feature", "reviews");
        assertThat(new TaskValidator(ModelRegistry.loadDefault()).validate(Json.tree(task))).isEmpty();
    }

    @Test
    void sealingAJobPublishesJobSealedKeyedByJobId(KafkaCluster kafka) {
        try (OffpeakClient offpeak = OffpeakClient.builder().bootstrapServers(kafka.bootstrapServers())
                .tenant("acme").build()) {
            Sent sent = offpeak.sealJob("nightly-1", 20_000L).join();
            assertThat(sent.topic()).isEqualTo(Topics.JOBS.name());
        }
        ConsumerRecord<String, JobSealed> record = kafka.readCommitted(Topics.JOBS.name(), 1, new StringDeserializer(),
                EventSerde.of(JobSealed.class).deserializer(), Duration.ofSeconds(30)).getFirst();
        assertThat(record.key()).isEqualTo("nightly-1");
        assertThat(record.value().taskCount()).isEqualTo(20_000L);
    }
}
