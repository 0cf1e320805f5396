package dev.offpeak.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.schemas.validation.TaskValidator;
import dev.offpeak.testsupport.KafkaCluster;
import dev.offpeak.testsupport.RealKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    void theReadmeExamplePublishesAValidTaskKeyedByItsPackingKey(KafkaCluster kafka) {
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
        TaskSubmitted task = record.value();
        assertThat(task.taskId()).isEqualTo("review-42");
        String key = PackingKey.of(task, 1).key();
        assertThat(record.key()).isEqualTo(key).startsWith("openai|/v1/chat/completions|gpt-4o-mini|-|");
        assertThat(record.partition()).as("where the default partitioner puts the key, so the batcher packs in place")
                .isEqualTo(PackingKey.partition(key, 3));
        assertThat(task.tenant()).isEqualTo("acme");
        assertThat(task.provider()).isEqualTo(Provider.OPENAI);
        assertThat(task.metadata()).containsEntry("feature", "reviews");
        assertThat(new TaskValidator(ModelRegistry.loadDefault()).validate(Json.tree(task))).isEmpty();
    }

    @Test
    void withShardsPerModelTheKeysShardFollowsThemAndEachTaskLandsOnItsKeysPartition(KafkaCluster kafka) {
        String tasks = kafka.createUniqueTopic("tasks", 4);
        int count = 12;
        Map<String, Sent> sent = new HashMap<>();
        try (OffpeakClient offpeak = OffpeakClient.builder().bootstrapServers(kafka.bootstrapServers()).tenant("acme")
                .topics(tasks, Topics.JOBS.name()).laneShards("gpt-4o-mini=8").build()) {
            List<CompletableFuture<Sent>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sends.add(offpeak.task("s-" + i).openai("gpt-4o-mini", "/v1/chat/completions")
                        .request("{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                                + " {\"role\": \"user\", \"content\": \"Question " + i + "\"}]}").submit());
            }
            sends.forEach(s -> {
                Sent one = s.join();
                sent.put(one.key() + "@" + one.partition() + "/" + one.offset(), one);
            });
        }

        List<ConsumerRecord<String, TaskSubmitted>> records = kafka.readCommitted(tasks, count, new StringDeserializer(),
                Topics.TASKS.valueSerde().deserializer(), Duration.ofSeconds(30));
        assertThat(records).hasSize(count).allSatisfy(record -> {
            String key = PackingKey.of(record.value(), 8).key();
            assertThat(record.key()).isEqualTo(key);
            assertThat(record.partition()).isEqualTo(PackingKey.partition(key, 4));
            assertThat(sent).containsKey(key + "@" + record.partition() + "/" + record.offset());
        });
        assertThat(records.stream().map(r -> PackingKey.of(r.value(), 8).shard()).distinct().count())
                .as("the shard comes from each request, so twelve requests spread over several of the 8").isGreaterThan(1);
        assertThat(records).extracting(r -> PackingKey.of(r.value(), 1).prefixFingerprint())
                .as("one system prompt, one prefix").containsOnly(PackingKey.of(records.getFirst().value(), 1).prefixFingerprint());
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
