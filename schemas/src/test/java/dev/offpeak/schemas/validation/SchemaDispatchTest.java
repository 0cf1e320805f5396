package dev.offpeak.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import dev.offpeak.schemas.json.EventTypes;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The conditional rules of {@code task.submitted} are decided in code ({@link ConditionalSchema});
 * this checks that it reports exactly what the whole schema reports, problem by problem and in the
 * same order, over the schema's examples and many valid and invalid variants of every endpoint.
 */
class SchemaDispatchTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonNode ABSENT = null;

    private final JsonNode document = SchemaValidator.get().schemaDocument(EventTypes.TASK_SUBMITTED);
    private final Schema whole = SchemaValidator.registry().getSchema(document);

    @Test
    void taskSubmittedRulesAreDecidedInCode() {
        assertThat(SchemaValidator.get().decidesRulesInCode(EventTypes.TASK_SUBMITTED)).isTrue();
        assertThat(SchemaValidator.get().decidesRulesInCode(EventTypes.JOB_SEALED)).isFalse();
    }

    @Test
    void schemaExamplesAreValidBothWays() {
        document.get("examples").forEach(example -> {
            assertSameProblems(example);
            assertThat(SchemaValidator.get().validate(EventTypes.TASK_SUBMITTED, example)).isEmpty();
        });
    }

    @Test
    void everyProviderEndpointAndRequestCombinationGetsTheSameProblems() throws IOException {
        List<JsonNode> providers = List.of(text("openai"), text("anthropic"), text("gemini"), text("mistral"),
                text("OpenAI"), NODES.numberNode(7), NODES.nullNode());
        List<JsonNode> endpoints = List.of(text("/v1/chat/completions"), text("/v1/responses"),
                text("/v1/embeddings"), text("/v1/completions"), text("/v1/messages"), text("generateContent"),
                text("/v1/bogus"), text(""), NODES.numberNode(5), NODES.arrayNode().add("/v1/messages"));
        List<JsonNode> requests = List.of(
                json("{}"),
                json("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 5}"),
                json("{\"messages\": [], \"max_tokens\": 0}"),
                json("{\"messages\": \"hi\", \"max_tokens\": \"5\"}"),
                json("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 1.5}"),
                json("{\"input\": \"hi\"}"),
                json("{\"prompt\": \"hi\", \"stream\": true}"),
                json("{\"contents\": []}"),
                json("{\"contents\": [{\"parts\": [{\"text\": \"hi\"}]}]}"),
                text("not an object"),
                NODES.arrayNode());
        int cases = 0;
        for (JsonNode provider : withAbsent(providers)) {
            for (JsonNode endpoint : withAbsent(endpoints)) {
                for (JsonNode request : withAbsent(requests)) {
                    ObjectNode task = valid();
                    set(task, "provider", provider);
                    set(task, "endpoint", endpoint);
                    set(task, "request", request);
                    assertSameProblems(task);
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(8 * 11 * 12);
    }

    @Test
    void problemsOutsideTheRulesAreTheSameToo() throws IOException {
        List<Consumer<ObjectNode>> changes = List.of(
                t -> t.remove("tenant"),
                t -> t.remove("type"),
                t -> t.put("type", "task.accepted"),
                t -> t.put("schema_version", 2),
                t -> t.put("colour", "blue"),
                t -> t.put("task_id", "-starts-with-a-dash"),
                t -> t.put("task_id", "x".repeat(129)),
                t -> t.put("tenant", "Acme"),
                t -> t.put("job_id", ""),
                t -> t.put("model", ""),
                t -> t.put("dedup", "yes"),
                t -> t.put("dedup_scope", "world"),
                t -> t.put("not_after", "tomorrow"),
                t -> t.put("submitted_at", "2026-13-01T00:00:00Z"),
                t -> t.putObject("metadata").put("team", 7),
                t -> {
                    ObjectNode metadata = t.putObject("metadata");
                    for (int i = 0; i < 33; i++) {
                        metadata.put("k" + i, "v");
                    }
                },
                t -> t.removeAll());
        for (Consumer<ObjectNode> change : changes) {
            for (String endpoint : List.of("/v1/chat/completions", "/v1/messages", "generateContent")) {
                ObjectNode task = valid();
                task.put("endpoint", endpoint);
                change.accept(task);
                assertSameProblems(task);
            }
        }
    }

    @Test
    void instancesThatAreNotObjectsGetTheSameProblems() {
        for (JsonNode instance : List.of(NODES.arrayNode(), text("task"), NODES.numberNode(1), NODES.nullNode(),
                NODES.booleanNode(true))) {
            assertSameProblems(instance);
        }
    }

    /** Also: an instance that is not an object meets every rule (its "if" holds vacuously). */
    @Test
    void allOfEntriesOfAnotherFormStayInPlace() throws IOException {
        JsonNode mixed = json("""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "properties": {"kind": {"type": "string"}, "size": {"type": "integer"}},
                 "allOf": [
                   {"if": {"properties": {"kind": {"const": "big"}}, "required": ["kind"]},
                    "then": {"properties": {"size": {"minimum": 100}}, "maxLength": 2}},
                   {"required": ["size"]},
                   {"if": {"properties": {"kind": {"const": "small"}}, "required": ["kind"]},
                    "then": {"properties": {"size": {"minimum": 1}}}, "else": {"required": ["kind"]}},
                   {"if": {"properties": {"size": {"const": 3}}, "required": ["size"]}, "then": {"required": ["kind"]}}
                 ]}""");
        ConditionalSchema conditional = ConditionalSchema.of(mixed, SchemaValidator.registry()::getSchema)
                .orElseThrow();
        Schema mixedWhole = SchemaValidator.registry().getSchema(mixed);
        for (String instance : List.of("{}", "{\"kind\": \"big\", \"size\": 5}", "{\"kind\": \"small\", \"size\": 0}",
                "{\"size\": 3}", "{\"kind\": \"big\"}", "{\"kind\": 4, \"size\": -1}", "[]", "\"abc\"")) {
            JsonNode node = json(instance);
            assertThat(SchemaValidator.problems(conditional.validate(node))).as(instance)
                    .containsExactlyElementsOf(SchemaValidator.problems(mixedWhole.validate(node)));
        }
        assertThat(SchemaValidator.problems(conditional.validate(json("{\"kind\": \"big\", \"size\": 5}"))))
                .containsExactly(new Problem("size", "must be >= 100"));
    }

    @Test
    void aSchemaWithoutConditionalRulesIsValidatedWhole() throws IOException {
        assertThat(ConditionalSchema.of(json("{\"type\": \"object\"}"), SchemaValidator.registry()::getSchema))
                .isEmpty();
        assertThat(ConditionalSchema.of(json("{\"allOf\": [{\"required\": [\"a\"]}]}"),
                SchemaValidator.registry()::getSchema)).isEmpty();
    }

    private void assertSameProblems(JsonNode instance) {
        List<Problem> expected = SchemaValidator.problems(whole.validate(instance));
        assertThat(SchemaValidator.get().validate(EventTypes.TASK_SUBMITTED, instance)).as(instance.toString())
                .containsExactlyElementsOf(expected);
    }

    private static ObjectNode valid() throws IOException {
        return (ObjectNode) json("""
                {"type": "task.submitted", "schema_version": 1, "task_id": "t-1", "tenant": "acme",
                 "job_id": "nightly", "provider": "openai", "model": "gpt-4o-mini", "endpoint": "/v1/chat/completions",
                 "request": {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5},
                 "metadata": {"feature": "x"}, "dedup": true, "dedup_scope": "tenant",
                 "not_after": "2026-11-24T06:00:00Z", "submitted_at": "2026-11-23T02:00:00Z"}""");
    }

    private static List<JsonNode> withAbsent(List<JsonNode> values) {
        List<JsonNode> all = new ArrayList<>(values);
        all.add(ABSENT);
        return all;
    }

    private static void set(ObjectNode task, String field, JsonNode value) {
        if (value == ABSENT) {
            task.remove(field);
        } else {
            task.set(field, value.deepCopy());
        }
    }

    private static JsonNode text(String value) {
        return NODES.textNode(value);
    }

    private static JsonNode json(String text) throws IOException {
        return Json.mapper().readTree(text);
    }
}
