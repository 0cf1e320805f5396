package dev.offpeak.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskValidatorTest {
    private final TaskValidator validator = new TaskValidator(ModelRegistry.loadDefault());

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
                "model: unknown model 'gpt-4o-mini' for provider anthropic (closest known: claude-3-haiku, claude-opus-5, claude-fable-5; "
                        + "an operator can add it with the model registry override file)");
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

    /** A Messages request whose one user message is {@code bytes} ASCII letters (about bytes / 4 tokens). */
    private static ObjectNode anthropic(String model, int bytes, int maxTokens) throws IOException {
        ObjectNode t = valid();
        t.put("provider", "anthropic");
        t.put("model", model);
        t.put("endpoint", "/v1/messages");
        ObjectNode request = (ObjectNode) t.get("request");
        request.put("max_tokens", maxTokens);
        ((ObjectNode) request.withArray("messages").get(0)).put("content", "a".repeat(bytes));
        return t;
    }

    @Test
    void unknownModelNamesTheClosestKnownIds() throws IOException {
        ObjectNode t = valid();
        t.put("model", "gpt-3.5-turbo-9999");
        assertThat(problems(t)).singleElement().asString()
                .startsWith("model: unknown model 'gpt-3.5-turbo-9999' for provider openai (closest known: gpt-3.5-turbo-1106, ")
                .endsWith("; an operator can add it with the model registry override file)");
    }

    @Test
    void aDatedSnapshotOfAKnownModelIsAccepted() throws IOException {
        assertThat(problems(anthropic("claude-sonnet-4-5-20250929", 100, 1000))).isEmpty();
        ObjectNode t = valid();
        t.put("model", "gpt-3.5-turbo");
        assertThat(problems(t)).isEmpty();
    }

    @Test
    void aPromptOverTheContextWindowIsRefusedNamingTheWindow() throws IOException {
        // ~240,000 tokens (960,000 bytes / 4): over Sonnet 4.5's 200K window, whose 1M beta is retired
        assertThat(problems(anthropic("claude-sonnet-4-5", 960_000, 1000))).singleElement().asString()
                .isEqualTo("request: estimated prompt of 240008 tokens exceeds the 200000-token context window of "
                        + "claude-sonnet-4-5 (the 1M-token context beta (context-1m-2025-08-07) was retired on "
                        + "2026-04-30; prompts over 200K tokens are refused by Anthropic)");
        assertThat(problems(anthropic("claude-sonnet-4-5", 790_000, 1000))).as("197,503 tokens fit").isEmpty();
        assertThat(problems(anthropic("claude-sonnet-4-6", 960_000, 1000))).as("a 1M-window model").isEmpty();
    }

    @Test
    void anAnthropicPromptThatFitsOnlyWithoutItsMaxTokensIsRefusedOnMaxTokens() throws IOException {
        // 197,508 estimated prompt tokens: with max_tokens 2,492 they fill the 200K window exactly
        assertThat(problems(anthropic("claude-sonnet-4-5", 790_000, 2492))).isEmpty();
        assertThat(problems(anthropic("claude-sonnet-4-5", 790_000, 2493))).singleElement().asString()
                .isEqualTo("request.max_tokens: estimated prompt of 197508 tokens plus max_tokens 2493 exceeds the"
                        + " 200000-token context window of claude-sonnet-4-5; at most 2492 fits");
    }

    @Test
    void anOpenAiPromptIsCountedWithTheModelsTokenizer() throws IOException {
        ObjectNode t = valid();
        t.put("model", "gpt-3.5-turbo");
        // "hello " is one cl100k token: 20,000 of them pass the 16,385-token window; their 120,000 bytes
        // would be far over it as a byte count, so this also shows the count is a tokenizer's
        ((ObjectNode) t.get("request").get("messages").get(0)).put("content", "hello ".repeat(20_000));
        assertThat(problems(t)).singleElement().asString()
                .startsWith("request: estimated prompt of 2000").contains("16385-token context window of gpt-3.5-turbo");
        ((ObjectNode) t.get("request").get("messages").get(0)).put("content", "hello ".repeat(16_000));
        assertThat(problems(t)).isEmpty();
    }

    @Test
    void anOutputCapOverTheModelsMaximumIsRefusedNamingTheLimit() throws IOException {
        assertThat(problems(anthropic("claude-3-haiku", 100, 8192))).containsExactly(
                "request.max_tokens: must be <= 4096, the maximum output of claude-3-haiku, was 8192");
        ObjectNode gemini = task("""
                {"type":"task.submitted","schema_version":1,"task_id":"t-1","tenant":"acme",
                 "provider":"gemini","model":"gemini-2.0-flash","endpoint":"generateContent",
                 "request":{"contents":[{"role":"user","parts":[{"text":"hi"}]}],
                            "generationConfig":{"maxOutputTokens":65536}}}""");
        assertThat(problems(gemini)).containsExactly(
                "request.generationConfig.maxOutputTokens: must be <= 8192, the maximum output of gemini-2.0-flash, was 65536");
    }

    @Test
    void aModelMustAnswerTheEndpointInBatch() throws IOException {
        ObjectNode t = valid();
        t.put("model", "text-embedding-3-small");
        assertThat(problems(t)).containsExactly(
                "endpoint: text-embedding-3-small does not answer /v1/chat/completions in batch (it answers /v1/embeddings)");
    }

    @Test
    void providerRuleProblemsSayWhatTheProviderWants() throws IOException {
        ObjectNode t = valid();
        t.put("task_id", "jobs/7");
        ((ObjectNode) t.get("request")).put("temperature", "0.7").put("max_tokens", -1);
        assertThat(problems(t)).containsExactlyInAnyOrder(
                "task_id: may hold only letters, digits and . _ : - (no /, no spaces), starting with a letter or digit:"
                        + " ^[A-Za-z0-9][A-Za-z0-9._:-]*$",
                "request.temperature: must be a number or null",
                "request.max_tokens: must be >= 1");
    }

    @Test
    void anthropicSystemRoleIsSentToTheTopLevelField() throws IOException {
        ObjectNode t = task("""
                {"type":"task.submitted","schema_version":1,"task_id":"t-1","tenant":"acme",
                 "provider":"anthropic","model":"claude-haiku-4-5","endpoint":"/v1/messages",
                 "request":{"max_tokens":64,"messages":[{"role":"system","content":"rules"},{"role":"user","content":"hi"}]}}""");
        assertThat(problems(t)).containsExactly("request.messages[0].role: must be user or assistant: Anthropic takes"
                + " the system prompt as the top-level field request.system, not as a message");
    }
}
