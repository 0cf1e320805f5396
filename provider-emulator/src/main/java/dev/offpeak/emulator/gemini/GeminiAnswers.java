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

    /** The per-line Status for a request the model endpoint would reject, or null. */
    public static ObjectNode requestError(JsonNode request, ModelCatalog models, String model) {
        ObjectNode shape = shapeError(request);
        return shape != null ? shape : GeminiModelChecks.gemini(models, model, request);
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

    /** A GenerateContentResponse with usageMetadata; zero-valued fields are left out, as proto3 JSON does. */
    public static ObjectNode response(JsonNode request, String model) {
        String seed = request.toString();
        int natural = TextSynth.naturalLength(seed);
        JsonNode max = maxOutputTokens(request);
        int output = max.isMissingNode() ? natural : (int) Math.min(natural, max.asLong());
        int prompt = TokenCounter.estimate(promptChars(request));
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
        usage.putArray("promptTokensDetails").addObject().put("modality", "TEXT").put("tokenCount", prompt);
        r.put("modelVersion", model);
        r.put("responseId", Ids.derivedBase62(seed, 22));
        return r;
    }
}
