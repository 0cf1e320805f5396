package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.Provider;

/**
 * How OpenAI refuses a request its model cannot take: an unknown model, a max-tokens value above the
 * model's maximum output, a prompt above its context window. In a batch these come back per request,
 * in the provider's per-request error shape, and the request is not billed. The wordings are the
 * provider's synchronous answers (see the module README for sources and which ones are unconfirmed
 * for batches). Limits of 0 in the catalog are not checked.
 */
public final class OpenAiModelChecks {
    private OpenAiModelChecks() {
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
}
