package dev.offpeak.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.CloseReason;
import dev.offpeak.schemas.events.DedupScope;
import dev.offpeak.schemas.events.ErrorInfo;
import dev.offpeak.schemas.events.Event;
import dev.offpeak.schemas.events.JobCompleted;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.events.TaskCompleted;
import dev.offpeak.schemas.events.TaskStatus;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.schemas.validation.SchemaValidator;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Records and JSON Schemas agree both ways: records serialise to valid JSON, schema examples parse to records. */
class EventContractTest {
    private static final String RID = "d7b47b357c5e2fe93e3c329cc3e01ea5b5cb51f8fea8ca9baa0bfb3ea82273d8";
    private static final Instant T0 = Instant.parse("2026-11-23T02:00:00Z");

    static Stream<Arguments> fullRecords() {
        ObjectNode request = Json.mapper().createObjectNode();
        request.putArray("messages").addObject().put("role", "user").put("content", "hi");
        ObjectNode response = Json.mapper().createObjectNode().put("id", "chatcmpl-1");
        Usage usage = new Usage(10, 2048, 0, 0, 3, 1);
        List<Event> events = List.of(
                new TaskSubmitted("t-1", "acme", "job-1", Provider.OPENAI, "gpt-4o-mini", "/v1/chat/completions",
                        request, Map.of("feature", "x"), false, DedupScope.GLOBAL, T0.plusSeconds(3600), T0,
                        RequestedMode.SYNC),
                new TaskSubmitted("t-2", "acme", null, Provider.GEMINI, "gemini-2.5-flash", "generateContent",
                        geminiRequest(),
                        null, null, null, null, null, null),
                new TaskAccepted("t-1", "acme", "job-1", RID, Provider.OPENAI, "gpt-4o-mini", "/v1/chat/completions",
                        "openai|/v1/chat/completions|gpt-4o-mini|0", true, "t-0", 16, new BigDecimal("0.0000012"),
                        Map.of(), T0.plusSeconds(60), T0, T0.plusMillis(1250)),
                new BatchItem("b-openai-0-000001", "openai|/v1/chat/completions|gpt-4o-mini|0", Provider.OPENAI,
                        "/v1/chat/completions", "gpt-4o-mini", 0, RID, "t-1", "acme", "job-1",
                        "{\"custom_id\":\"" + RID + "\"}", 80, 16, 1, "-", 0, RequestedMode.AUTO),
                new BatchClosed("b-openai-0-000001", "openai|/v1/chat/completions|gpt-4o-mini|0", Provider.OPENAI,
                        "/v1/chat/completions", "gpt-4o-mini", 1, 80, 16, RID, CloseReason.JOB_SEALED, T0,
                        T0.plusSeconds(5), List.of("job-1")),
                new TaskCompleted("tc-t-1-1", "t-1", "acme", "job-1", TaskStatus.SUCCEEDED, RID, false, Provider.OPENAI,
                        "gpt-4o-mini", "/v1/chat/completions", "b-openai-0-000001", "batch_abc", 200, response, null,
                        null, usage, new BigDecimal("0.0000015"), new BigDecimal("0.000003"),
                        new BigDecimal("0.0000015"), "openai/gpt-4o-mini/2024-07-18", 1, Map.of("feature", "x"), T0,
                        T0.plusSeconds(1), T0.plusSeconds(4000)),
                new TaskCompleted("tc-t-2-1", "t-2", "acme", null, TaskStatus.EXPIRED, RID, true, Provider.ANTHROPIC,
                        "claude-haiku-4-5", "/v1/messages", null, null, null, null, null,
                        new ErrorInfo("expired", "window ended"), null, BigDecimal.ZERO, BigDecimal.ZERO,
                        BigDecimal.ZERO, null, 3, null, null, null, T0),
                new JobSealed("job-1", "acme", 20000L, T0),
                new JobSealed("job-2", "acme", null, T0),
                new JobCompleted("jc-job-1", "job-1", "acme", 3, 1, 1, 1, 0, 1, new BigDecimal("1.5"),
                        new BigDecimal("3"), new BigDecimal("1.5"), T0, T0.plusSeconds(10), T0.plusSeconds(20),
                        java.util.Map.of("batch", 2L, "sync", 1L), new BigDecimal("0.0004")));
        return events.stream().map(e -> Arguments.of(e.type(), e));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fullRecords")
    void recordSerialisesToJsonValidAgainstItsSchemaAndReadsBackEqual(String type, Event event) {
        JsonNode json = Json.tree(event);
        EventTypes eventType = EventTypes.byName(type).orElseThrow();
        assertThat(SchemaValidator.get().validate(eventType, json)).as(json.toString()).isEmpty();
        assertThat(json.get("type").asText()).isEqualTo(type);
        assertThat(json.get("schema_version").asInt()).isEqualTo(1);
        Event back = EventSerde.of(Event.class).parse(Json.writeBytes(event));
        assertThat(back).isEqualTo(event);
    }

    @ParameterizedTest
    @EnumSource(EventTypes.class)
    void everySchemaExampleIsValidAndParsesIntoTheRecordAndBackUnchanged(EventTypes type) {
        JsonNode examples = SchemaValidator.get().schemaDocument(type).get("examples");
        assertThat(examples).as("examples of " + type.typeName()).isNotNull();
        List<JsonNode> list = new ArrayList<>();
        examples.forEach(list::add);
        assertThat(list).isNotEmpty();
        for (JsonNode example : list) {
            assertThat(SchemaValidator.get().validate(type, example)).as(example.toString()).isEmpty();
            Event parsed = EventSerde.of(Event.class).convert(example);
            assertThat(parsed).isInstanceOf(type.recordClass());
            assertThat(reparsed(parsed)).as("round trip of " + type.typeName()).isEqualTo(example);
        }
    }

    /** Serialised then parsed, so numbers compare as parsed JSON numbers, not as Java int vs long. */
    private static JsonNode reparsed(Event event) {
        try {
            return Json.mapper().readTree(Json.write(event));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(EventTypes.class)
    void schemaDeclaresTypeAndSchemaVersionAsRequiredConstants(EventTypes type) {
        JsonNode schema = SchemaValidator.get().schemaDocument(type);
        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.at("/properties/type/const").asText()).isEqualTo(type.typeName());
        assertThat(schema.at("/properties/schema_version/const").asInt()).isEqualTo(1);
        List<String> required = new ArrayList<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        assertThat(required).contains("type", "schema_version");
        schema.get("properties").fieldNames().forEachRemaining(name ->
                assertThat(name).as("wire names are snake_case").matches("^[a-z][a-z0-9_]*$"));
    }

    private static ObjectNode geminiRequest() {
        ObjectNode request = Json.mapper().createObjectNode();
        request.putArray("contents").addObject().putArray("parts").addObject().put("text", "hi");
        return request;
    }
}
