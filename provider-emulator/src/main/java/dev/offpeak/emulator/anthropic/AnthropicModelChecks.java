package dev.offpeak.emulator.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.Provider;

/**
 * How Anthropic refuses a request its model cannot take: an unknown model, a max-tokens value above the
 * model's maximum output, a prompt above its context window. In a batch these come back per request,
 * in the provider's per-request error shape, and the request is not billed. The wordings are the
 * provider's synchronous answers (see the module README for sources and which ones are unconfirmed
 * for batches). Limits of 0 in the catalog are not checked.
 */
public final class AnthropicModelChecks {
    private AnthropicModelChecks() {
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
}
