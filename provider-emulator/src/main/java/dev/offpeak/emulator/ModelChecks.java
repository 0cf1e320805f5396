package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.anthropic.AnthropicAnswers;
import dev.offpeak.emulator.gemini.GeminiAnswers;

/**
 * How each provider refuses a request its model cannot take: an unknown model, a max-tokens value
 * above the model's maximum output, a prompt above its context window. In a batch these come back
 * per request, in the provider's per-request error shape, and the request is not billed. The
 * wordings are the providers' synchronous answers (see the module README for sources and which
 * ones are unconfirmed for batches). Limits of 0 in the catalog are not checked.
 */
public final class ModelChecks {
    private ModelChecks() {
    }

    /**
     * OpenAI: the HTTP error the endpoint would answer this body with, or null.
     *
     * @param promptTokens the prompt as the usage would count it (only read when the model is known)
     */
    public static ApiException openAi(ModelCatalog models, String endpoint, JsonNode body, int promptTokens) {
        String modelId = body.path("model").asText();
        var found = models.find(Provider.OPENAI, modelId);
        if (found.isEmpty()) {
            return new ApiException(404, "The model `" + modelId + "` does not exist or you do not have access to it.",
                    null, "model_not_found");
        }
        ModelCatalog.Model model = found.get();
        String maxField = switch (endpoint) {
            case "/v1/chat/completions" -> body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
            case "/v1/responses" -> "max_output_tokens";
            case "/v1/completions" -> "max_tokens";
            default -> null;
        };
        if (maxField != null && model.maxOutputTokens() > 0 && body.hasNonNull(maxField)
                && body.get(maxField).asLong() > model.maxOutputTokens()) {
            long asked = body.get(maxField).asLong();
            return new ApiException(400, maxField + " is too large: " + asked + ". This model supports at most "
                    + model.maxOutputTokens() + " completion tokens, whereas you provided " + asked + ".",
                    maxField, "invalid_value");
        }
        long window = model.contextWindow();
        if (window <= 0 || promptTokens <= window) {
            return null;
        }
        return switch (endpoint) {
            case "/v1/chat/completions" -> new ApiException(400, "This model's maximum context length is " + window
                    + " tokens. However, your messages resulted in " + promptTokens
                    + " tokens. Please reduce the length of the messages.", "messages", "context_length_exceeded");
            case "/v1/responses" -> new ApiException(400, "Your input exceeds the context window of this model. "
                    + "Please adjust your input and try again.", "input", "context_length_exceeded");
            case "/v1/completions" -> new ApiException(400, "This model's maximum context length is " + window
                    + " tokens, however you requested " + promptTokens + " tokens (" + promptTokens
                    + " in your prompt; 0 for the completion). Please reduce your prompt; or completion length.",
                    null, "context_length_exceeded");
            // embeddings limit each input, not the sum; not modelled
            default -> null;
        };
    }

    /**
     * Anthropic: the error of an {@code errored} result for these params, or null; {@link ApiException#code()}
     * is the error type ({@code not_found_error}, {@code invalid_request_error}).
     */
    public static ApiException anthropic(ModelCatalog models, JsonNode params) {
        String modelId = params.path("model").asText();
        var found = models.find(Provider.ANTHROPIC, modelId);
        if (found.isEmpty()) {
            return new ApiException(404, "model: " + modelId, null, "not_found_error");
        }
        ModelCatalog.Model model = found.get();
        long maxTokens = params.path("max_tokens").asLong();
        if (model.maxOutputTokens() > 0 && maxTokens > model.maxOutputTokens()) {
            return invalid("max_tokens: " + maxTokens + " > " + model.maxOutputTokens()
                    + ", which is the maximum allowed number of output tokens for " + modelId);
        }
        long window = model.contextWindow();
        if (window <= 0) {
            return null;
        }
        int prompt = AnthropicAnswers.promptTokens(params);
        if (prompt > window) {
            return invalid("prompt is too long: " + prompt + " tokens > " + window + " maximum");
        }
        // Claude 3.7 and later refuse a request whose prompt and max_tokens together pass the window.
        if (prompt + maxTokens > window) {
            return invalid("input length and `max_tokens` exceed context limit: " + prompt + " + " + maxTokens
                    + " > " + window + ", decrease input length or `max_tokens` and try again");
        }
        return null;
    }

    private static ApiException invalid(String message) {
        return new ApiException(400, message, null, "invalid_request_error");
    }

    /** Gemini: the HTTP error of {@code batchGenerateContent} on a model the API does not serve, or null. */
    public static ApiException geminiModel(ModelCatalog models, String version, String modelId) {
        if (models.find(Provider.GEMINI, modelId).isPresent()) {
            return null;
        }
        return new ApiException(404, "models/" + modelId + " is not found for API version " + version
                + ", or is not supported for batchGenerateContent. Call ListModels to see the list of available "
                + "models and their supported methods.");
    }

    /** Gemini: the per-request Status for a request over the model's limits, or null (also for an unknown model, refused at create). */
    public static ObjectNode gemini(ModelCatalog models, String modelId, JsonNode request) {
        var found = models.find(Provider.GEMINI, modelId);
        if (found.isEmpty()) {
            return null;
        }
        ModelCatalog.Model model = found.get();
        JsonNode max = GeminiAnswers.maxOutputTokens(request);
        if (model.maxOutputTokens() > 0 && !max.isMissingNode() && max.asLong() > model.maxOutputTokens()) {
            return GeminiAnswers.status(400, "Unable to submit request because it has a maxOutputTokens value of "
                    + max.asLong() + " but the supported range is from 1 (inclusive) to "
                    + (model.maxOutputTokens() + 1) + " (exclusive). Update the value and try again.",
                    "INVALID_ARGUMENT");
        }
        int prompt = TokenCounter.estimate(GeminiAnswers.promptChars(request));
        if (model.contextWindow() > 0 && prompt > model.contextWindow()) {
            return GeminiAnswers.status(400, "The input token count (" + prompt + ") exceeds the maximum number of "
                    + "tokens allowed (" + model.contextWindow() + ").", "INVALID_ARGUMENT");
        }
        return null;
    }
}
