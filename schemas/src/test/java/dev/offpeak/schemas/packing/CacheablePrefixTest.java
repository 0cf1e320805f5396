package dev.offpeak.schemas.packing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import org.junit.jupiter.api.Test;

class CacheablePrefixTest {
    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static CacheablePrefix prefix(Provider p, String endpoint, String request) {
        return CacheablePrefix.of(p, endpoint, json(request));
    }

    @Test
    void openAiChatTakesToolsAndLeadingInstructionsOnly() {
        CacheablePrefix a = prefix(Provider.OPENAI, "/v1/chat/completions", """
                {"model":"gpt-4o-mini","messages":[{"role":"system","content":"policy"},{"role":"developer","content":"x"},
                 {"role":"user","content":"one"},{"role":"system","content":"late"}],"max_tokens":5}""");
        CacheablePrefix b = prefix(Provider.OPENAI, "/v1/chat/completions", """
                {"model":"gpt-4o-mini","max_tokens":9,"messages":[{"role":"system","content":"policy"},
                 {"role":"developer","content":"x"},{"role":"user","content":"two"}]}""");
        assertThat(a.fingerprint()).matches("[0-9a-f]{16}").isEqualTo(b.fingerprint());
        assertThat(a.parts().get("messages")).hasSize(2);
        CacheablePrefix other = prefix(Provider.OPENAI, "/v1/chat/completions", """
                {"model":"gpt-4o-mini","messages":[{"role":"system","content":"policy!"},{"role":"user","content":"one"}]}""");
        assertThat(other.fingerprint()).isNotEqualTo(a.fingerprint());
        CacheablePrefix withTools = prefix(Provider.OPENAI, "/v1/chat/completions", """
                {"model":"gpt-4o-mini","tools":[{"type":"function","function":{"name":"f"}}],
                 "messages":[{"role":"system","content":"policy"},{"role":"developer","content":"x"},{"role":"user","content":"1"}]}""");
        assertThat(withTools.fingerprint()).isNotEqualTo(a.fingerprint());
    }

    @Test
    void noLeadingInstructionMeansNoPrefix() {
        assertThat(prefix(Provider.OPENAI, "/v1/chat/completions",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").isNone()).isTrue();
        assertThat(prefix(Provider.OPENAI, "/v1/embeddings", "{\"model\":\"m\",\"input\":\"hi\"}").fingerprint())
                .isEqualTo(CacheablePrefix.NONE);
        assertThat(prefix(Provider.ANTHROPIC, "/v1/messages",
                "{\"model\":\"m\",\"max_tokens\":5,\"system\":[],\"messages\":[]}").isNone()).isTrue();
    }

    @Test
    void anthropicAndGeminiTakeTheirFixedParts() {
        CacheablePrefix a = prefix(Provider.ANTHROPIC, "/v1/messages", """
                {"model":"claude-haiku-4-5","max_tokens":5,"system":"policy","messages":[{"role":"user","content":"a"}]}""");
        CacheablePrefix b = prefix(Provider.ANTHROPIC, "/v1/messages", """
                {"model":"claude-haiku-4-5","max_tokens":50,"system":"policy","messages":[{"role":"user","content":"b"}]}""");
        assertThat(a.fingerprint()).isEqualTo(b.fingerprint());
        assertThat(a.parts().fieldNames()).toIterable().containsExactly("system");
        CacheablePrefix g = prefix(Provider.GEMINI, "generateContent", """
                {"systemInstruction":{"parts":[{"text":"policy"}]},"contents":[{"role":"user","parts":[{"text":"a"}]}]}""");
        assertThat(g.parts().fieldNames()).toIterable().containsExactly("systemInstruction");
        // The same words under another provider's field are another prefix.
        assertThat(g.fingerprint()).isNotEqualTo(a.fingerprint());
    }

    @Test
    void identicalRequestsShareAKeyAndSharedPrefixesShareAPartition() {
        EventSerde<TaskSubmitted> serde = EventSerde.of(TaskSubmitted.class);
        String template = """
                {"type":"task.submitted","schema_version":1,"task_id":"%s","tenant":"acme","provider":"anthropic",
                 "endpoint":"/v1/messages","model":"claude-haiku-4-5",
                 "request":{"model":"claude-haiku-4-5","max_tokens":5,"system":"policy",
                            "messages":[{"role":"user","content":"%s"}]}}""";
        TaskSubmitted t1 = serde.convert(json(template.formatted("t-1", "same")));
        TaskSubmitted t2 = serde.convert(json(template.formatted("t-2", "same")));
        TaskSubmitted t3 = serde.convert(json(template.formatted("t-3", "different")));
        PackingKey k1 = PackingKey.of(t1, 1);
        assertThat(PackingKey.of(t2, 1)).isEqualTo(k1);
        PackingKey k3 = PackingKey.of(t3, 1);
        assertThat(k3.requestId()).isNotEqualTo(k1.requestId());
        assertThat(k3.key()).isEqualTo(k1.key()); // one prefix, one shard: one key, one partition
        assertThat(k1.key()).startsWith("anthropic|/v1/messages|claude-haiku-4-5|").endsWith("|0");
        // With shards, the request id picks the shard; identical requests still agree.
        assertThat(PackingKey.of(t2, 8).shard()).isEqualTo(PackingKey.of(t1, 8).shard()).isBetween(0, 7);
        assertThat(PackingKey.partition(k1.key(), 12)).isBetween(0, 11);
    }
}
