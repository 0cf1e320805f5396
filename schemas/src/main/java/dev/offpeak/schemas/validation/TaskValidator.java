package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.EventTypes;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.PriceCatalog;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a {@code task.submitted} and returns every problem at once, each naming its field. The
 * JSON Schema says the structure (and which request fields each endpoint needs); this class adds
 * only what a schema cannot say: the model must be priced in the catalog, batch requests cannot
 * stream, a model inside the request must agree with the task's, and the deadline must lie after
 * the submission time.
 */
public final class TaskValidator {
    private final PriceCatalog catalog;
    private final SchemaValidator schemas = SchemaValidator.get();

    public TaskValidator(PriceCatalog catalog) {
        this.catalog = catalog;
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
            if (request.path("stream").asBoolean(false)) {
                problems.add(new Problem("request.stream", "batch requests cannot stream"));
            }
            JsonNode innerModel = request.get("model");
            String model = task.path("model").asText(null);
            if (innerModel != null && model != null && !innerModel.asText().equals(model)) {
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
        if (!catalog.knows(provider, model.asText())) {
            problems.add(new Problem("model", "unknown for provider " + provider.id()
                    + " (priced models: " + String.join(", ", catalog.models(provider)) + ")"));
        }
    }

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
