package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.Provider;
import java.util.function.ToIntFunction;

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
     * @param tokensOf     the model's tokenizer, for embeddings inputs, which are limited one by one
     */
    public static ApiException openAi(ModelCatalog models, String endpoint, JsonNode body, int promptTokens,
            ToIntFunction<String> tokensOf) {
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
        if ("/v1/embeddings".equals(endpoint)) {
            return window <= 0 ? null : embeddingInputs(window, body.path("input"), tokensOf);
        }
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
            default -> null;
        };
    }

    /**
     * Embeddings: each input within the window (a string in the model's tokens, a token array by its
     * length), all inputs together within 300,000 tokens. The wording is the legacy length error that
     * embeddings answer with; which input it names (param) is [unconfirmed].
     */
    private static ApiException embeddingInputs(long window, JsonNode input, ToIntFunction<String> tokensOf) {
        boolean single = input.isTextual() || (input.isArray() && !input.isEmpty() && input.get(0).isNumber());
        long total = 0;
        for (int i = 0; i < (single ? 1 : input.size()); i++) {
            JsonNode one = single ? input : input.get(i);
            long count = one.isArray() ? one.size() : one.isTextual() ? tokensOf.applyAsInt(one.textValue()) : 0;
            total += count;
            if (count > window) {
                return new ApiException(400, "This model's maximum context length is " + window + " tokens, however you"
                        + " requested " + count + " tokens (" + count + " in your prompt; 0 for the completion). Please"
                        + " reduce your prompt; or completion length.", single ? "input" : "input[" + i + "]",
                        "context_length_exceeded");
            }
        }
        if (total > EMBEDDING_REQUEST_TOKENS) {
            return new ApiException(400, "Requested " + total + " tokens, max " + EMBEDDING_REQUEST_TOKENS
                    + " tokens per request", "input", "max_tokens_per_request");
        }
        return null;
    }

    /** OpenAI's limit on the tokens of all inputs of one embeddings request. */
    static final long EMBEDDING_REQUEST_TOKENS = 300_000;
}
