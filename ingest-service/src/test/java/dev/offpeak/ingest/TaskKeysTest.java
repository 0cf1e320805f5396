package dev.offpeak.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.schemas.tenants.TenantPolicy;
import dev.offpeak.schemas.topics.Topics;
import dev.offpeak.schemas.validation.TaskValidator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The key TaskIntake gives a task is the one the batcher computes from the published value
 * ({@code PackingKey.of(task, shards)}), for every field the key depends on, sharded or not.
 */
class TaskKeysTest {
    private static final TaskValidator VALIDATOR = new TaskValidator(ModelRegistry.loadDefault());
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-12-04T00:00:00Z"));
    private static final TenantPolicy ACME = new TenantPolicy("acme", Set.of(), Set.of(), false);
    private static final TenantPolicy GLOBEX = new TenantPolicy("globex", Set.of(), Set.of(), true);

    private static final List<String> TASKS = List.of(
            Tasks.chat("plain-1"),
            Tasks.chat("plain-2"),
            """
            {"task_id": "sys-1", "provider": "openai", "model": "gpt-4o-mini", "endpoint": "/v1/chat/completions",
             "request": {"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": "one"}], "max_tokens": 5}}""",
            """
            {"task_id": "sys-2", "provider": "openai", "model": "gpt-4o-mini", "endpoint": "/v1/chat/completions",
             "dedup": false,
             "request": {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "one"}],
                         "max_tokens": 5}}""",
            """
            {"task_id": "resp-1", "provider": "openai", "model": "gpt-4o", "endpoint": "/v1/responses",
             "request": {"instructions": "Answer in French.", "input": "hello"}}""",
            """
            {"task_id": "emb-1", "provider": "openai", "model": "text-embedding-3-small", "endpoint": "/v1/embeddings",
             "request": {"input": "x"}}""",
            """
            {"task_id": "claude-1", "provider": "anthropic", "model": "claude-haiku-4-5", "endpoint": "/v1/messages",
             "request": {"system": "You grade essays.", "max_tokens": 50,
                         "messages": [{"role": "user", "content": "essay"}]}}""",
            """
            {"task_id": "gem-1", "provider": "gemini", "model": "gemini-2.5-flash", "endpoint": "generateContent",
             "request": {"systemInstruction": {"parts": [{"text": "Be terse."}]},
                         "contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}""");

    @Test
    void theKeyIsThePackingKeyOfThePublishedTaskWithOneShardByDefault() {
        TaskIntake intake = new TaskIntake(VALIDATOR, CLOCK);
        for (TenantPolicy tenant : List.of(ACME, GLOBEX)) {
            for (String body : TASKS) {
                IntakeResult.Ready ready = ready(intake, body, tenant);
                TaskSubmitted published = published(ready);
                assertThat(ready.key()).as(body).isEqualTo(PackingKey.of(published, 1).key()).endsWith("|0");
            }
        }
    }

    @Test
    void aModelWithShardsGetsTheShardOfItsRequestIdentity() {
        Map<String, Integer> shards = Map.of("gpt-4o-mini", 7, "claude-haiku-4-5", 3, "gemini-2.5-flash", 1024);
        TaskIntake intake = new TaskIntake(VALIDATOR, CLOCK, new TaskKeys(model -> shards.getOrDefault(model, 1)));
        Set<String> shardsSeen = new java.util.TreeSet<>();
        for (TenantPolicy tenant : List.of(ACME, GLOBEX)) {
            for (String body : TASKS) {
                IntakeResult.Ready ready = ready(intake, body, tenant);
                TaskSubmitted published = published(ready);
                assertThat(ready.key()).as(tenant.tenant() + " " + body)
                        .isEqualTo(PackingKey.of(published, shards.getOrDefault(published.model(), 1)).key());
                shardsSeen.add(ready.key().substring(ready.key().lastIndexOf('|') + 1));
            }
        }
        assertThat(shardsSeen).as("not every task on shard 0").hasSizeGreaterThan(2);
    }

    @Test
    void aTaskBuiltInMemoryIsKeyedTheSameWay() {
        TaskIntake intake = new TaskIntake(VALIDATOR, CLOCK, new TaskKeys(model -> 5));
        // as the OpenAI batch import does: a tree, serialized once for the value
        JsonNode tree = Json.tree(published(ready(intake, TASKS.get(3), ACME)));
        IntakeResult.Ready ready = (IntakeResult.Ready) intake.prepare(tree, ACME);
        assertThat(ready.key()).isEqualTo(PackingKey.of(published(ready), 5).key());
    }

    @Test
    void aTasksModeIsPublishedAsSentAndLeavesTheKeyAlone() {
        TaskIntake intake = new TaskIntake(VALIDATOR, CLOCK, new TaskKeys(model -> 7));
        for (String body : TASKS) {
            IntakeResult.Ready asked = ready(intake, body.replaceFirst("\\{", "{\"mode\": \"sync\", "), ACME);
            IntakeResult.Ready plain = ready(intake, body, ACME);
            assertThat(published(asked).mode()).as(body).isEqualTo(RequestedMode.SYNC);
            assertThat(published(plain).mode()).as(body).isNull();
            assertThat(asked.key()).as(body).isEqualTo(plain.key());
        }
    }

    private static IntakeResult.Ready ready(TaskIntake intake, String body, TenantPolicy tenant) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        IntakeResult result = intake.prepare(bytes, 0, bytes.length, tenant);
        assertThat(result).as(body).isInstanceOf(IntakeResult.Ready.class);
        return (IntakeResult.Ready) result;
    }

    /** What the batcher reads back from offpeak.tasks. */
    private static TaskSubmitted published(IntakeResult.Ready ready) {
        return Topics.TASKS.valueSerde().deserializer().deserialize("offpeak.tasks", ready.value());
    }
}
