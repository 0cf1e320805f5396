package dev.offpeak.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.TaskValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preflight corpus (schemas' {@code src/test/resources/preflight/*.jsonl}) sent through the
 * emulator as real batches, each task as the batcher packs it (OpenAI file lines, Anthropic request
 * items, Gemini inline requests): every case Offpeak's door accepts, the emulated provider answers;
 * every case the door refuses, the emulated provider refuses too, in its own error shape, naming a
 * field the door named. Cases the door refuses only for what a provider never sees (task fields such as
 * {@code task_id}, and {@code request.model}, which the packed line replaces by the task's model) are
 * counted apart.
 */
class PreflightAgreementTest {
    private static final Path CORPUS = Path.of("../schemas/src/test/resources/preflight");
    private static final TaskValidator DOOR = new TaskValidator(ModelRegistry.loadDefault());

    @TempDir
    Path tmp;
    private final ManualClock clock = ManualClock.startingAt2026();
    private ProviderEmulator emu;

    /** One corpus case: its line id in the batch, the task, and what the door said. */
    private record Case(String id, String name, JsonNode task, List<Problem> door) {
        boolean refused() {
            return !door.isEmpty();
        }

        String provider() {
            return task.path("provider").asText();
        }

        String endpoint() {
            return task.path("endpoint").asText();
        }

        String model() {
            return task.path("model").asText();
        }

        /** The request as the batcher packs it: {@code model} first, the request's own model dropped. */
        ObjectNode body() {
            ObjectNode body = Json.object();
            body.put("model", model());
            task.get("request").properties().forEach(f -> {
                if (!"model".equals(f.getKey())) {
                    body.set(f.getKey(), f.getValue());
                }
            });
            return body;
        }
    }

    /** What the emulated provider answered for a line: empty field = accepted. */
    private record Answer(boolean refused, String field, String error) {
        static Answer accepted() {
            return new Answer(false, null, null);
        }
    }

    @BeforeEach
    void start() {
        emu = ProviderEmulator.start(EmulatorConfig.defaults().withClock(clock).withSpeed(new EmulatorConfig.Speed(
                100_000, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5))));
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    @Test
    void theDoorAndTheEmulatedProviderGiveEveryCaseTheSameVerdict() throws IOException {
        List<Case> all = corpus();
        List<Case> doorOnly = all.stream().filter(PreflightAgreementTest::doorOnly).toList();
        List<Case> sent = all.stream().filter(c -> !doorOnly(c)).toList();

        Map<String, Answer> answers = new LinkedHashMap<>();
        answers.putAll(openAi(sent.stream().filter(c -> c.provider().equals("openai")).toList()));
        answers.putAll(anthropic(sent.stream().filter(c -> c.provider().equals("anthropic")).toList()));
        answers.putAll(gemini(sent.stream().filter(c -> c.provider().equals("gemini")).toList()));

        List<String> disagreements = new ArrayList<>();
        for (Case c : sent) {
            Answer answer = answers.get(c.id());
            if (answer == null) {
                disagreements.add(c.name() + ": no answer from the emulator");
            } else if (answer.refused() != c.refused()) {
                disagreements.add(c.name() + ": door " + (c.refused() ? "refused " + c.door() : "accepted")
                        + ", emulator " + (answer.refused() ? "refused: " + answer.error() : "answered"));
            } else if (answer.refused() && !doorFields(c).contains(normal(answer.field()))) {
                disagreements.add(c.name() + ": emulator named " + answer.field() + " (" + answer.error()
                        + "), the door named " + doorFields(c));
            }
        }
        long refused = sent.stream().filter(Case::refused).count();
        System.out.printf("preflight agreement: %d cases through the emulator (%d accepted, %d refused), %d refused"
                + " at the door only for task fields%n", sent.size(), sent.size() - refused, refused, doorOnly.size());
        assertThat(disagreements).as("cases where the door and the emulated provider disagree").isEmpty();
        assertThat(sent).as("the corpus reaches every provider").extracting(Case::provider)
                .contains("openai", "anthropic", "gemini");
        assertThat(doorOnly).as("door-only cases are refused on task fields").allSatisfy(c ->
                assertThat(c.door()).extracting(Problem::field)
                        .allMatch(f -> taskField(f) || f.equals("request.model")));
    }

    // ---- the corpus ------------------------------------------------------------------------------

    private static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(CORPUS)) {
            files = listing.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
        }
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    JsonNode parsed = Json.parse(line);
                    JsonNode task = parsed.get("task");
                    cases.add(new Case("c" + cases.size(), file.getFileName() + ": " + parsed.path("case").asText(),
                            task, DOOR.validate(task)));
                }
            }
        }
        assertThat(cases).as("corpus under " + CORPUS.toAbsolutePath()).hasSizeGreaterThan(100);
        return cases;
    }

    /** A field of the task that no provider line carries. */
    private static boolean taskField(String field) {
        return !field.equals("model") && !field.equals("request") && !field.startsWith("request.");
    }

    /** Refused only for what a provider never sees, or not a request a line can carry. */
    private static boolean doorOnly(Case c) {
        if (!c.task().path("request").isObject() || !c.task().path("model").isTextual()) {
            return true;
        }
        // the line carries the task's model, so a request's own model field never reaches the provider
        return c.refused() && c.door().stream().allMatch(p -> taskField(p.field()) || p.field().equals("request.model"));
    }

    /** The door's fields, relative to the request ("$" for the request itself, "model" for the task's model). */
    private static Set<String> doorFields(Case c) {
        return c.door().stream().map(Problem::field)
                .map(f -> f.equals("request") ? "$" : f.startsWith("request.") ? f.substring(8) : f)
                .map(PreflightAgreementTest::normal).collect(Collectors.toSet());
    }

    /** Spelling-blind (Gemini takes camelCase and snake_case alike): snake_case, lower case. */
    private static String normal(String field) {
        return field == null ? "$" : field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    // ---- OpenAI: one input file per endpoint and model ------------------------------------------

    private Map<String, Answer> openAi(List<Case> cases) throws IOException {
        TestHttp http = TestHttp.openAi(emu, "sk-test");
        Map<String, Answer> answers = new LinkedHashMap<>();
        Map<String, List<Case>> groups = cases.stream().collect(Collectors.groupingBy(
                c -> c.endpoint() + " " + c.model(), LinkedHashMap::new, Collectors.toList()));
        for (List<Case> group : groups.values()) {
            List<String> lines = group.stream().map(c -> Json.write(Json.object().put("custom_id", c.id())
                    .put("method", "POST").put("url", c.endpoint()).set("body", c.body()))).toList();
            Path file = Files.write(tmp.resolve("openai-" + System.nanoTime() + ".jsonl"), lines);
            String fileId = http.upload("/files", "batch", file).json().get("id").asText();
            TestHttp.Resp created = http.post("/batches", Json.write(Json.object().put("input_file_id", fileId)
                    .put("endpoint", group.getFirst().endpoint()).put("completion_window", "24h")));
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            clock.advance(Duration.ofMinutes(1));
            JsonNode batch = http.get("/batches/" + created.json().get("id").asText()).json();
            if ("failed".equals(batch.get("status").asText())) {
                JsonNode error = batch.at("/errors/data/0");
                group.forEach(c -> answers.put(c.id(), new Answer(true, error.path("param").asText("$")
                        .replaceFirst("^body\\.", ""), error.toString())));
                continue;
            }
            assertThat(batch.get("status").asText()).as(batch.toString()).isEqualTo("completed");
            for (String fileField : List.of("output_file_id", "error_file_id")) {
                if (batch.get(fileField).isNull()) {
                    continue;
                }
                for (JsonNode line : http.get("/files/" + batch.get(fileField).asText() + "/content").jsonl()) {
                    JsonNode response = line.path("response");
                    answers.put(line.get("custom_id").asText(), response.path("status_code").asInt() == 200
                            ? Answer.accepted() : openAiRefusal(response.at("/body/error"), group.getFirst().endpoint()));
                }
            }
        }
        return answers;
    }

    private static Answer openAiRefusal(JsonNode error, String endpoint) {
        String field = switch (error.path("code").asText()) {
            case "model_not_found" -> "model";
            // embeddings name the input over the limit; the other endpoints the prompt as a whole
            case "context_length_exceeded" -> "/v1/embeddings".equals(endpoint) ? error.path("param").asText() : "$";
            default -> error.path("param").isTextual() ? error.path("param").asText() : "$";
        };
        return new Answer(true, field, error.toString());
    }

    // ---- Anthropic: one message batch ------------------------------------------------------------

    private Map<String, Answer> anthropic(List<Case> cases) {
        TestHttp http = TestHttp.anthropic(emu, "sk-ant-test");
        ArrayNode requests = Json.array();
        cases.forEach(c -> requests.add(Json.object().put("custom_id", c.id()).set("params", c.body())));
        TestHttp.Resp created = http.post("/v1/messages/batches", Json.write(Json.object().set("requests", requests)));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().get("id").asText();
        clock.advance(Duration.ofMinutes(1));
        assertThat(http.get("/v1/messages/batches/" + id).json().get("processing_status").asText()).isEqualTo("ended");
        Map<String, Answer> answers = new LinkedHashMap<>();
        for (JsonNode line : http.get("/v1/messages/batches/" + id + "/results").jsonl()) {
            JsonNode result = line.get("result");
            answers.put(line.get("custom_id").asText(), "succeeded".equals(result.get("type").asText())
                    ? Answer.accepted() : anthropicRefusal(result.at("/error/error")));
        }
        return answers;
    }

    private static final Pattern PYDANTIC_INDEX = Pattern.compile("\\.(\\d+)(?=\\.|$)");

    private static Answer anthropicRefusal(JsonNode error) {
        String message = error.path("message").asText();
        String field;
        if ("not_found_error".equals(error.path("type").asText())) {
            field = "model";
        } else if (message.startsWith("prompt is too long")) {
            field = "$";
        } else if (message.startsWith("input length and `max_tokens`")) {
            field = "max_tokens";
        } else {
            int colon = message.indexOf(": ");
            field = colon < 0 ? "$" : PYDANTIC_INDEX.matcher(message.substring(0, colon)).replaceAll("[$1]");
        }
        return new Answer(true, field, error.toString());
    }

    // ---- Gemini: one inline batch per model ------------------------------------------------------

    private Map<String, Answer> gemini(List<Case> cases) {
        TestHttp http = TestHttp.gemini(emu, "AIza-test");
        Map<String, Answer> answers = new LinkedHashMap<>();
        Map<String, List<Case>> byModel = cases.stream().collect(Collectors.groupingBy(Case::model,
                LinkedHashMap::new, Collectors.toList()));
        for (Map.Entry<String, List<Case>> group : byModel.entrySet()) {
            ArrayNode items = Json.array();
            group.getValue().forEach(c -> items.add(Json.object().<ObjectNode>set("request", c.task().get("request"))
                    .set("metadata", Json.object().put("key", c.id()))));
            ObjectNode body = Json.object();
            body.putObject("batch").put("displayName", "preflight").putObject("inputConfig").putObject("requests")
                    .set("requests", items);
            TestHttp.Resp created = http.post("/v1beta/models/" + group.getKey() + ":batchGenerateContent",
                    Json.write(body));
            if (created.status() == 404) {
                group.getValue().forEach(c -> answers.put(c.id(), new Answer(true, "model", created.body())));
                continue;
            }
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            clock.advance(Duration.ofMinutes(1));
            JsonNode done = http.get("/v1beta/" + created.json().get("name").asText()).json();
            Map<String, JsonNode> requests = new LinkedHashMap<>();
            group.getValue().forEach(c -> requests.put(c.id(), c.task().get("request")));
            for (JsonNode item : done.at("/response/inlinedResponses/inlinedResponses")) {
                String key = item.at("/metadata/key").asText();
                answers.put(key, item.has("response") || cacheNotFound(item.get("error")) ? Answer.accepted()
                        : geminiRefusal(item.get("error"), requests.get(key)));
            }
        }
        return answers;
    }

    private static final Pattern GEMINI_FIELD = Pattern.compile("^\\* GenerateContentRequest\\.([^:]+):");

    /**
     * The corpus names caches ("cachedContents/abc-123") that exist nowhere: the emulated provider refuses
     * them as Google does an unknown cache (403), which is about the caller's caches, not the request's
     * shape the door checks; such a line passed the request rules.
     */
    private static boolean cacheNotFound(JsonNode status) {
        return "PERMISSION_DENIED".equals(status.path("status").asText())
                && status.path("message").asText().startsWith("CachedContent not found");
    }

    private static Answer geminiRefusal(JsonNode status, JsonNode request) {
        String message = status.path("message").asText();
        Matcher named = GEMINI_FIELD.matcher(message);
        String field;
        if (message.startsWith("CachedContent can not be used with GenerateContent request setting")) {
            // Google's sentence names the three fields at once; the one this request set is the one at fault
            field = List.of("systemInstruction", "system_instruction", "tools", "toolConfig", "tool_config").stream()
                    .filter(f -> request.hasNonNull(f) && !(request.get(f).isArray() && request.get(f).isEmpty()))
                    .findFirst().orElse("$");
        } else if (named.find()) {
            field = named.group(1);
        } else if (message.startsWith("Unable to submit request because it has a maxOutputTokens value")) {
            field = "generation_config.max_output_tokens";
        } else {
            field = "$";
        }
        return new Answer(true, field, status.toString());
    }
}
