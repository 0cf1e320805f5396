package dev.offpeak.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.schemas.validation.Problem;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Local validation: nothing here reaches a broker (the bootstrap address is never contacted). */
class OffpeakClientTest {
    private static final Instant NOW = Instant.parse("2026-11-23T02:00:00Z");
    private OffpeakClient client;

    @BeforeEach
    void create() {
        client = OffpeakClient.builder().bootstrapServers("localhost:1").tenant("acme")
                .clock(InstantSource.fixed(NOW)).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void buildsACompleteTaskOfTheClientsTenant() {
        TaskSubmitted task = client.task("t-1").openai("gpt-4o-mini", "/v1/chat/completions")
                .request("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")
                .job("nightly").metadata("feature", "reviews").build();

        assertThat(task.tenant()).isEqualTo("acme");
        assertThat(task.submittedAt()).isEqualTo(NOW);
        assertThat(task.jobId()).isEqualTo("nightly");
        assertThat(task.metadata()).containsEntry("feature", "reviews");
    }

    @Test
    void aTaskCarriesTheModeItAsksForOnTheWireAndNoneWhenItAsksNone() {
        String request = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        TaskSubmitted sync = client.task("t-1").openai("gpt-4o-mini", "/v1/chat/completions").request(request)
                .mode(RequestedMode.SYNC).build();
        TaskSubmitted plain = client.task("t-2").openai("gpt-4o-mini", "/v1/chat/completions").request(request).build();

        TaskSubmitted published = Topics.TASKS.valueSerde().deserializer().deserialize("offpeak.tasks",
                Json.writeBytes(sync));
        assertThat(published.mode()).isEqualTo(RequestedMode.SYNC);
        assertThat(Json.tree(sync).get("mode").asText()).isEqualTo("sync");
        assertThat(plain.mode()).isNull();
        assertThat(Json.tree(plain).has("mode")).isFalse();
        assertThat(client.keyOf(sync)).as("the mode is not part of the packing key").isEqualTo(client.keyOf(plain));
    }

    @Test
    void anInvalidTaskFailsLocallyWithEveryProblem() {
        assertThatThrownBy(() -> client.task("").openai("gpt-9", "/v1/chat/completions").request("{}").submit())
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(Problem::field).contains("task_id", "model", "request.messages"));
    }

    @Test
    void aTaskOfAnotherTenantIsRefused() {
        TaskSubmitted other = new TaskSubmitted("t-2", "initech", null, Provider.OPENAI, "text-embedding-3-small",
                "/v1/embeddings", Json.mapper().createObjectNode().put("input", "x"), null, null, null, null, NOW, null);
        assertThatThrownBy(() -> client.submit(other)).isInstanceOfSatisfying(InvalidTaskException.class,
                e -> assertThat(e.problems()).extracting(Problem::field).containsExactly("tenant"));
    }

    @Test
    void aTaskIsKeyedByItsPackingKeyWithOneShardUnlessItsModelHasMore() {
        TaskSubmitted task = client.task("t-1").openai("gpt-4o-mini", "/v1/chat/completions")
                .request("{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                        + " {\"role\": \"user\", \"content\": \"hi\"}]}").build();
        assertThat(client.keyOf(task)).isEqualTo(PackingKey.of(task, 1).key()).endsWith("|0");

        try (OffpeakClient sharded = OffpeakClient.builder().bootstrapServers("localhost:1").tenant("acme")
                .laneShards("gpt-4o-mini=8, gpt-4o = 2").laneShards(Map.of("claude-haiku-4-5", 3)).build()) {
            assertThat(sharded.shardsFor("gpt-4o-mini")).isEqualTo(8);
            assertThat(sharded.shardsFor("gpt-4o")).isEqualTo(2);
            assertThat(sharded.shardsFor("claude-haiku-4-5")).isEqualTo(3);
            assertThat(sharded.shardsFor("text-embedding-3-small")).isEqualTo(1);
            assertThat(sharded.keyOf(task)).isEqualTo(PackingKey.of(task, 8).key());
        }
    }

    @Test
    void badShardsAreRefusedNamingTheEntry() {
        assertThatThrownBy(() -> OffpeakClient.builder().laneShards("gpt-4o-mini=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Invalid value gpt-4o-mini=0 for laneShards: "
                        + "entry 'gpt-4o-mini=0' must be name=number with a number between 1 and 1024");
        assertThatThrownBy(() -> OffpeakClient.builder().laneShards("gpt-4o-mini"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 'gpt-4o-mini' must be");
        assertThatThrownBy(() -> OffpeakClient.builder().laneShards(Map.of("gpt-4o-mini", 1025)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value gpt-4o-mini=1025 for laneShards: "
                        + "entry 'gpt-4o-mini=1025' must be name=number with a number between 1 and 1024");
    }

    @Test
    void theDurabilitySettingsCannotBeOverridden() {
        assertThatThrownBy(() -> OffpeakClient.builder().property("acks", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acks");
        assertThatThrownBy(() -> OffpeakClient.builder().property("enable.idempotence", false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OffpeakClient.builder().property("partitioner.class", "x.Y"))
                .as("the default partitioner puts a task where the batcher packs it")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitioner");
        assertThatThrownBy(() -> OffpeakClient.builder().property("partitioner.ignore.keys", true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRequestThatIsNotAJsonObjectIsRefusedAtOnce() {
        assertThatThrownBy(() -> client.task("t").request("[1]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON object");
        assertThatThrownBy(() -> client.task("t").request("{")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void aLaunchDayModelFromTheOperatorsRegistryFileIsAccepted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("models.json"), """
                {"models": [{"provider": "openai", "model": "gpt-7-preview", "context_window": 500000, "max_output_tokens": 64000,
                  "prices": [{"effective_from": "2026-11-01", "input": "2", "output": "8", "source": "launch post"}]}]}""");
        String request = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        assertThatThrownBy(() -> client.task("t-7").openai("gpt-7-preview", "/v1/chat/completions").request(request).build())
                .as("the shipped registry does not know it").isInstanceOf(InvalidTaskException.class);
        try (OffpeakClient withFile = OffpeakClient.builder().bootstrapServers("localhost:1").tenant("acme")
                .clock(InstantSource.fixed(NOW))
                .modelRegistry(dev.offpeak.schemas.pricing.ModelRegistry.load(java.util.Optional.of(file))).build()) {
            TaskSubmitted task = withFile.task("t-7").openai("gpt-7-preview", "/v1/chat/completions").request(request).build();
            assertThat(task.model()).isEqualTo("gpt-7-preview");
        }
    }
}
