package dev.offpeak.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.PriceCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskValidatorTest {
    private final TaskValidator validator = new TaskValidator(PriceCatalog.loadDefault());

    private static ObjectNode task(String json) throws IOException {
        return (ObjectNode) Json.mapper().readTree(json);
    }

    private static ObjectNode valid() throws IOException {
        return task("""
                {"type":"task.submitted","schema_version":1,"task_id":"t-1","tenant":"acme",
                 "provider":"openai","model":"gpt-4o-mini","endpoint":"/v1/chat/completions",
                 "request":{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}}""");
    }

    private List<String> problems(ObjectNode task) {
        return validator.validate(task).stream().map(Problem::toString).toList();
    }

    @Test
    void validTaskHasNoProblems() throws IOException {
        assertThat(problems(valid())).isEmpty();
    }

    @Test
    void everyProblemIsReportedAtOnceEachNamingItsField() throws IOException {
        ObjectNode t = valid();
        t.remove("tenant");
        t.put("provider", "anthropic");
        t.put("model", "gpt-4o-mini");
        t.put("endpoint", "/v1/messages");
        ((ObjectNode) t.get("request")).remove("max_tokens");
        ((ObjectNode) t.get("request")).remove("messages");
        ((ObjectNode) t.get("request")).put("stream", true);
        t.put("colour", "blue");
        assertThat(problems(t)).containsExactlyInAnyOrder(
                "tenant: required",
                "colour: unknown field",
                "request.messages: required",
                "request.max_tokens: required",
                "request.stream: batch requests cannot stream",
                "model: unknown for provider anthropic (priced models: claude-3-haiku, claude-haiku-4-5, claude-sonnet-4-5)");
    }

    @Test
    void endpointMustBelongToTheProvider() throws IOException {
        ObjectNode t = valid();
        t.put("endpoint", "generateContent");
        assertThat(problems(t)).contains(
                "endpoint: must be one of /v1/chat/completions, /v1/responses, /v1/embeddings, /v1/completions");
    }

    @Test
    void fieldTypesAndFormatsAreCheckedWithThePathToTheField() throws IOException {
        ObjectNode t = valid();
        t.put("dedup", "yes");
        t.put("not_after", "tomorrow");
        t.putObject("metadata").put("team", 7);
        t.put("provider", "mistral");
        assertThat(problems(t)).contains(
                "dedup: must be a boolean",
                "not_after: must be an RFC 3339 date-time such as 2026-11-23T02:00:00Z",
                "metadata.team: must be a string",
                "provider: must be one of openai, anthropic, gemini");
    }

    @Test
    void emptyMessagesAndBadMaxTokensAreRejected() throws IOException {
        ObjectNode t = task("""
                {"type":"task.submitted","schema_version":1,"task_id":"a-1","tenant":"acme",
                 "provider":"anthropic","model":"claude-haiku-4-5","endpoint":"/v1/messages",
                 "request":{"messages":[],"max_tokens":0}}""");
        assertThat(problems(t)).containsExactlyInAnyOrder(
                "request.messages: must have at least 1 item(s)",
                "request.max_tokens: must be >= 1");
    }

    @Test
    void modelInsideTheRequestMustAgree() throws IOException {
        ObjectNode t = valid();
        ((ObjectNode) t.get("request")).put("model", "gpt-4o");
        assertThat(problems(t)).containsExactly("request.model: must equal model (gpt-4o-mini) or be left out, was \"gpt-4o\"");
    }

    @Test
    void deadlineMustLieAfterSubmission() throws IOException {
        ObjectNode t = valid();
        t.put("submitted_at", "2026-11-23T02:00:00Z");
        t.put("not_after", "2026-11-23T01:00:00Z");
        assertThat(problems(t)).containsExactly("not_after: must be after submitted_at (2026-11-23T02:00:00Z)");
    }

    @Test
    void malformedBytesAreOneProblemOnTheRoot() {
        List<Problem> p = validator.validate("{\"task_id\": ".getBytes(StandardCharsets.UTF_8));
        assertThat(p).hasSize(1);
        assertThat(p.get(0).field()).isEqualTo("$");
        assertThat(p.get(0).message()).startsWith("malformed JSON");
        assertThat(validator.validate(new byte[0])).extracting(Problem::message)
                .containsExactly("empty input: expected a task.submitted JSON object");
        assertThat(validator.validate("[1]".getBytes(StandardCharsets.UTF_8))).extracting(Problem::toString)
                .containsExactly("$: must be a JSON object");
    }

    @Test
    void infiniteNumbersAreAProblemNotACrash() {
        String json = """
                {"type":"task.submitted","schema_version":1e999999,"task_id":"t","tenant":"acme","provider":"openai",
                 "model":"gpt-4o-mini","endpoint":"/v1/chat/completions",
                 "request":{"messages":[{"role":"user","content":"x"}],"temperature":-1e999999}}""";
        assertThat(validator.validate(json.getBytes(StandardCharsets.UTF_8))).extracting(Problem::toString)
                .containsExactlyInAnyOrder("schema_version: number out of range", "request.temperature: number out of range");
    }

    @Test
    void duplicateKeysAndTrailingDataAreMalformed() {
        assertThat(validator.validate("{\"tenant\":\"a\",\"tenant\":\"b\"}".getBytes(StandardCharsets.UTF_8)))
                .extracting(Problem::message).singleElement().asString().contains("Duplicate field 'tenant'");
        assertThat(validator.validate("{\"tenant\":\"a\"} {}".getBytes(StandardCharsets.UTF_8)))
                .extracting(Problem::message).singleElement().asString().startsWith("malformed JSON");
    }

    @Test
    void geminiAndResponsesEndpointsNeedTheirOwnFields() throws IOException {
        ObjectNode g = task("""
                {"type":"task.submitted","schema_version":1,"task_id":"g-1","tenant":"acme",
                 "provider":"gemini","model":"gemini-2.5-flash","endpoint":"generateContent","request":{}}""");
        assertThat(problems(g)).containsExactly("request.contents: required");
        ObjectNode r = valid();
        r.put("endpoint", "/v1/responses");
        assertThat(problems(r)).containsExactly("request.input: required");
    }
}
