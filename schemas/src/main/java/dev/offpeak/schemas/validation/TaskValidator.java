package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.EventTypes;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelInfo;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Checks a {@code task.submitted} and returns every problem at once, each naming its field. The
 * JSON Schema says the structure (and which request fields each endpoint needs, with the request
 * schemas under {@code schemas/requests/} for the endpoints whose provider rules are written out;
 * {@link RequestRules} adds the rules relating one message to another); this class adds
 * what a schema cannot say, from the model registry: the model must be known (else the closest
 * known ids are named), serve the endpoint in batch, have room for the estimated prompt in its
 * context window and for the requested output under its maximum; and batch requests cannot stream,
 * a model inside the request must agree with the task's, and the deadline must lie after the
 * submission time. The limits are checked here so ingest, the batcher (for producers writing to
 * Kafka directly) and the client refuse alike, before a provider refuses the line a day later.
 */
public final class TaskValidator {
    /** How many known ids an unknown-model error suggests. */
    static final int SUGGESTIONS = 3;

    private final ModelRegistry registry;
    private final TokenEstimator tokens;
    private final SchemaValidator schemas = SchemaValidator.get();

    public TaskValidator(ModelRegistry registry) {
        this(registry, new TokenEstimator());
    }

    public TaskValidator(ModelRegistry registry, TokenEstimator tokens) {
        this.registry = registry;
        this.tokens = tokens;
    }

    /** Parses and validates raw bytes; malformed JSON is one problem on {@code $}. */
    public List<Problem> validate(byte[] json) {
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(json);
        } catch (JacksonException e) {
            return List.of(new Problem(Problem.ROOT, "malformed JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            return List.of(new Problem(Problem.ROOT, "unreadable input: " + e.getMessage()));
        }
        if (tree == null || tree.isMissingNode()) {
            return List.of(new Problem(Problem.ROOT, "empty input: expected a task.submitted JSON object"));
        }
        return validate(tree);
    }

    public List<Problem> validate(JsonNode task) {
        if (!task.isObject()) {
            return List.of(new Problem(Problem.ROOT, "must be a JSON object"));
        }
        if (hasNonFiniteNumber(task)) {
            // an infinite number cannot be validated, hashed or sent to a provider: stop here
            List<Problem> outOfRange = new ArrayList<>();
            nonFiniteNumbers(task, "", outOfRange);
            return outOfRange;
        }
        List<Problem> problems = new ArrayList<>(schemas.validate(EventTypes.TASK_SUBMITTED, task));
        checkModel(task, problems);
        JsonNode request = task.path("request");
        if (request.isObject()) {
            RequestValidator.rules(task.path("endpoint").asText(""), request, "request.", problems);
            JsonNode innerModel = request.get("model");
            String model = task.path("model").asText(null);
            if (innerModel != null && model != null && !innerModel.asText().equals(model)
                    && !innerModel.asText().equals("models/" + model)) { // Gemini names a model "models/<id>"
                problems.add(new Problem("request.model",
                        "must equal model (" + model + ") or be left out, was " + innerModel));
            }
        }
        checkDeadline(task, problems);
        return problems;
    }

    /** Whether any number parsed to infinity; walks the tree without building the paths of its fields. */
    private static boolean hasNonFiniteNumber(JsonNode node) {
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (hasNonFiniteNumber(child)) {
                    return true;
                }
            }
            return false;
        }
        return isNonFinite(node);
    }

    private static boolean isNonFinite(JsonNode node) {
        return node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue()) && !node.isBigDecimal();
    }

    /** Numbers such as 1e999999 parse to infinity; report each one by its path. */
    private static void nonFiniteNumbers(JsonNode node, String path, List<Problem> problems) {
        if (isNonFinite(node)) {
            problems.add(new Problem(path.isEmpty() ? Problem.ROOT : path, "number out of range"));
        } else if (node.isObject()) {
            node.fields().forEachRemaining(f ->
                    nonFiniteNumbers(f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey(), problems));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                nonFiniteNumbers(node.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private void checkModel(JsonNode task, List<Problem> problems) {
        Provider provider = Provider.find(task.path("provider").asText(null)).orElse(null);
        JsonNode model = task.get("model");
        if (provider == null || model == null || !model.isTextual() || model.asText().isEmpty()) {
            return; // the schema already reported it
        }
        Optional<ModelInfo> known = registry.find(provider, model.asText());
        if (known.isEmpty()) {
            problems.add(new Problem("model", "unknown model '" + model.asText() + "' for provider " + provider.id()
                    + " (closest known: " + String.join(", ", registry.closest(provider, model.asText(), SUGGESTIONS))
                    + "; an operator can add it with the model registry override file)"));
            return;
        }
        ModelInfo info = known.get();
        String endpoint = task.path("endpoint").asText("");
        if (!endpoint.isEmpty() && !info.endpoints().contains(endpoint)) {
            problems.add(new Problem("endpoint", info.id() + " does not answer " + endpoint + " in batch (it answers "
                    + String.join(", ", new TreeSet<>(info.endpoints())) + ")"));
        }
        JsonNode request = task.path("request");
        if (request.isObject()) {
            checkOutputCap(info, request, problems);
            if ("/v1/embeddings".equals(endpoint)) {
                checkEmbeddingInputs(info, model.asText(), request.path("input"), problems);
                return;
            }
            OptionalLong overWindow = tokens.exceeding(provider, model.asText(), request, info.contextWindow());
            overWindow.ifPresent(estimate ->
                    problems.add(new Problem("request", "estimated prompt of " + estimate + " tokens exceeds the "
                            + info.contextWindow() + "-token context window of " + info.id()
                            + (info.contextNote() == null ? "" : " (" + info.contextNote() + ")"))));
            if (overWindow.isEmpty() && provider == Provider.ANTHROPIC) {
                checkPromptPlusOutput(info, model.asText(), request, problems);
            }
        }
    }

    /** The request's own output cap, wherever its endpoint puts it, must be within the model's maximum. */
    private static void checkOutputCap(ModelInfo info, JsonNode request, List<Problem> problems) {
        if (info.maxOutputTokens() == 0) {
            return; // embeddings: no output to cap
        }
        for (String path : OUTPUT_CAPS) {
            JsonNode cap = request.at(path);
            if (cap.canConvertToLong() && cap.asLong() > info.maxOutputTokens()) {
                problems.add(new Problem("request" + path.replace('/', '.'), "must be <= " + info.maxOutputTokens()
                        + ", the maximum output of " + info.id() + ", was " + cap.asLong()));
            }
        }
    }

    /**
     * Anthropic refuses a request whose prompt and {@code max_tokens} together pass the context window
     * (Claude 3.7 and later), not only one whose prompt does.
     */
    private void checkPromptPlusOutput(ModelInfo info, String model, JsonNode request, List<Problem> problems) {
        JsonNode max = request.path("max_tokens");
        if (!max.isIntegralNumber() || max.asLong() < 1 || max.asLong() > info.maxOutputTokens()
                || info.contextWindow() <= 0) {
            return; // the schema or the output cap already reported it
        }
        long room = info.contextWindow() - max.asLong();
        tokens.exceeding(Provider.ANTHROPIC, model, request, room).ifPresent(estimate ->
                problems.add(new Problem("request.max_tokens", "estimated prompt of " + estimate + " tokens plus"
                        + " max_tokens " + max.asLong() + " exceeds the " + info.contextWindow()
                        + "-token context window of " + info.id() + "; at most " + (info.contextWindow() - estimate)
                        + " fits")));
    }

    /**
     * OpenAI limits embeddings per input, not per request: each input within the model's context
     * window, and all inputs together within {@link #EMBEDDING_REQUEST_TOKENS}. Token arrays are
     * counted exactly, strings with the model's tokenizer.
     */
    private void checkEmbeddingInputs(ModelInfo info, String model, JsonNode input, List<Problem> problems) {
        List<JsonNode> inputs = new ArrayList<>();
        if (input.isTextual() || (input.isArray() && !input.isEmpty() && input.get(0).isNumber())) {
            inputs.add(input);
        } else if (input.isArray()) {
            input.forEach(inputs::add);
        }
        long total = 0;
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode one = inputs.get(i);
            long count = one.isArray() ? one.size()
                    : one.isTextual() ? tokens.estimate(Provider.OPENAI, model, one) : 0;
            total += count;
            if (info.contextWindow() > 0 && count > info.contextWindow()) {
                String field = one == input ? "request.input" : "request.input[" + i + "]";
                problems.add(new Problem(field, "estimated " + count + " tokens exceed the " + info.contextWindow()
                        + "-token input limit of " + info.id() + " (each input is limited on its own)"));
            }
        }
        if (total > EMBEDDING_REQUEST_TOKENS) {
            problems.add(new Problem("request.input", "estimated " + total + " tokens over all inputs exceed the "
                    + EMBEDDING_REQUEST_TOKENS + " an embeddings request may hold"));
        }
    }

    /** OpenAI's limit on the tokens of all inputs of one embeddings request (API reference, CreateEmbeddingRequest). */
    static final long EMBEDDING_REQUEST_TOKENS = 300_000;

    private static final List<String> OUTPUT_CAPS = List.of("/max_tokens", "/max_completion_tokens",
            "/max_output_tokens", "/generationConfig/maxOutputTokens", "/generation_config/max_output_tokens",
            "/generationConfig/max_output_tokens", "/generation_config/maxOutputTokens");

    private static void checkDeadline(JsonNode task, List<Problem> problems) {
        Instant notAfter = instant(task.get("not_after"));
        if (notAfter == null) {
            return;
        }
        Instant submittedAt = instant(task.get("submitted_at"));
        if (submittedAt != null && !notAfter.isAfter(submittedAt)) {
            problems.add(new Problem("not_after", "must be after submitted_at (" + submittedAt + ")"));
        }
    }

    private static Instant instant(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            return null; // the schema reports the format
        }
    }
}
