package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The rules of OpenAI's {@code /v1/responses} and {@code /v1/completions} that their JSON Schemas
 * ({@code openai.responses.schema.json}, {@code openai.completions.schema.json}) cannot say, because
 * they relate one field to another:
 * <ul>
 *   <li>{@code /v1/responses}: {@code previous_response_id} cannot be used together with
 *       {@code conversation} (the API reference and the openai-python {@code ResponseCreateParams});</li>
 *   <li>{@code /v1/completions}: {@code best_of} is the number of candidates and {@code n} how many of
 *       them are returned, so {@code best_of} may not be below {@code n} (the reference says "greater
 *       than"; both default to 1, so equal values are taken).</li>
 * </ul>
 * Each rule reads only values of the right type, so what the schema reported is not reported twice.
 * Stateless.
 */
final class OpenAiRequestRules {
    private OpenAiRequestRules() {}

    /**
     * Adds the problems of {@code request} that the schema of {@code endpoint} cannot find.
     *
     * @param at where the request sits, prefixed to every field named: {@code "request."} in a task,
     *           {@code ""} for a body on its own
     */
    static void check(String endpoint, JsonNode request, String at, List<Problem> problems) {
        switch (endpoint) {
            case "/v1/responses" -> oneConversationState(request, at, problems);
            case "/v1/completions" -> enoughCandidates(request, at, problems);
            default -> { }
        }
    }

    private static void oneConversationState(JsonNode request, String at, List<Problem> problems) {
        JsonNode previous = request.path("previous_response_id");
        JsonNode conversation = request.path("conversation");
        if (previous.isTextual() && (conversation.isTextual() || conversation.isObject())) {
            problems.add(new Problem(at + "previous_response_id", "must be left out when conversation is set:"
                    + " OpenAI continues either a previous response or a conversation, not both"));
        }
    }

    private static void enoughCandidates(JsonNode request, String at, List<Problem> problems) {
        JsonNode bestOf = request.path("best_of");
        JsonNode n = request.path("n");
        if (bestOf.isIntegralNumber() && n.isIntegralNumber() && bestOf.asLong() < n.asLong()) {
            problems.add(new Problem(at + "best_of", "must be >= n (" + n.asLong() + "): best_of is how many"
                    + " completions are generated and n how many of them are returned, was " + bestOf.asLong()));
        }
    }
}
