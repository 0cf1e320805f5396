package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.Ids;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.RequestRulesCheck;
import dev.offpeak.emulator.TextSynth;
import dev.offpeak.emulator.TokenCounter;

/**
 * The generateContent side of a Gemini batch line. Gemini publishes no offline tokenizer, so token
 * counts are the documented estimate of four characters per token. Requests are accepted in
 * lowerCamelCase or snake_case, as the proto3 JSON parser does.
 */
public final class GeminiAnswers {
    private GeminiAnswers() {
    }

    static JsonNode field(JsonNode node, String camel, String snake) {
        return node.has(camel) ? node.get(camel) : node.path(snake);
    }

    /**
     * The per-line Status for a request the model endpoint would reject, or null: its shape, then the
     * explicit cache it names (as the batch's caller had it when the batch was created), then the model's limits.
     */
    static ObjectNode requestError(JsonNode request, ModelCatalog models, String model, GeminiCaching.View caches) {
        ObjectNode shape = shapeError(request);
        if (shape != null) {
            return shape;
        }
        ObjectNode cache = GeminiCaching.error(request, caches, models, model);
        return cache != null ? cache
                : GeminiModelChecks.gemini(models, model, request, GeminiCaching.explicitTokens(request, caches));
    }

    /** As {@link #requestError(JsonNode, ModelCatalog, String, GeminiCaching.View)} for a caller without caches. */
    public static ObjectNode requestError(JsonNode request, ModelCatalog models, String model) {
        return requestError(request, models, model, GeminiCaching.View.NONE);
    }

    public static JsonNode maxOutputTokens(JsonNode request) {
        return field(field(request, "generationConfig", "generation_config"), "maxOutputTokens", "max_output_tokens");
    }

    /** The Status for a request whose shape the endpoint rejects, or null. */
    static ObjectNode shapeError(JsonNode request) {
        return RequestRulesCheck.firstProblem(Provider.GEMINI, "generateContent", request)
                .map(p -> status(400, GeminiRuleErrors.message(p), "INVALID_ARGUMENT")).orElse(null);
    }

    public static ObjectNode status(int code, String message, String status) {
        ObjectNode s = Json.object();
        s.put("code", code);
        s.put("message", message);
        s.put("status", status);
        return s;
    }

    public static int promptChars(JsonNode request) {
        int chars = 0;
        for (JsonNode part : field(request, "systemInstruction", "system_instruction").path("parts")) {
            chars += part.path("text").asText("").length();
        }
        for (JsonNode content : request.path("contents")) {
            for (JsonNode part : content.path("parts")) {
                chars += part.has("text") ? part.get("text").asText().length() : part.toString().length();
            }
        }
        if (request.has("tools")) {
            chars += request.get("tools").toString().length();
        }
        return chars;
    }

    /** A GenerateContentResponse with usageMetadata, without caching. */
    public static ObjectNode response(JsonNode request, String model) {
        return response(request, model, 0, 0);
    }

    /**
     * A GenerateContentResponse with usageMetadata; zero-valued fields are left out, as proto3 JSON does.
     * {@code explicitTokens} (the named cachedContent's size) are part of the prompt; the cached count is
     * those, or else {@code implicitTokens} (a prefix shared with an earlier request, already in the prompt).
     */
    static ObjectNode response(JsonNode request, String model, long explicitTokens, long implicitTokens) {
        String seed = TextSynth.seed(request);
        int natural = TextSynth.naturalLength(seed);
        JsonNode max = maxOutputTokens(request);
        int output = max.isMissingNode() ? natural : (int) Math.min(natural, max.asLong());
        int own = TokenCounter.estimate(promptChars(request));
        int prompt = (int) Math.min(Integer.MAX_VALUE, own + explicitTokens);
        int cached = (int) (explicitTokens > 0 ? explicitTokens : Math.min(implicitTokens, own));
        ObjectNode r = Json.object();
        ObjectNode cand = r.putArray("candidates").addObject();
        ObjectNode content = cand.putObject("content");
        content.putArray("parts").addObject().put("text", TextSynth.words(seed, output));
        content.put("role", "model");
        cand.put("finishReason", output < natural ? "MAX_TOKENS" : "STOP");
        ObjectNode usage = r.putObject("usageMetadata");
        usage.put("promptTokenCount", prompt);
        usage.put("candidatesTokenCount", output);
        usage.put("totalTokenCount", prompt + output);
        if (cached > 0) {
            usage.put("cachedContentTokenCount", cached);
        }
        usage.putArray("promptTokensDetails").addObject().put("modality", "TEXT").put("tokenCount", prompt);
        if (cached > 0) {
            usage.putArray("cacheTokensDetails").addObject().put("modality", "TEXT").put("tokenCount", cached);
        }
        r.put("modelVersion", model);
        r.put("responseId", Ids.derivedBase62(seed, 22));
        return r;
    }
}
