package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.TokenCounter;

/**
 * How Gemini refuses a request its model cannot take: an unknown model, a max-tokens value above the
 * model's maximum output, a prompt above its context window. In a batch these come back per request,
 * in the provider's per-request error shape, and the request is not billed. The wordings are the
 * provider's synchronous answers (see the module README for sources and which ones are unconfirmed
 * for batches). Limits of 0 in the catalog are not checked.
 */
public final class GeminiModelChecks {
    private GeminiModelChecks() {
    }

    /** Gemini: the HTTP error of {@code batchGenerateContent} on a model the API does not serve, or null. */
    public static ApiException geminiModel(ModelCatalog models, String version, String modelId) {
        return geminiModel(models, version, modelId, "batchGenerateContent");
    }

    /** As above for {@code method} ({@code generateContent} for the synchronous endpoint). */
    public static ApiException geminiModel(ModelCatalog models, String version, String modelId, String method) {
        if (models.find(Provider.GEMINI, modelId).isPresent()) {
            return null;
        }
        return new ApiException(404, "models/" + modelId + " is not found for API version " + version
                + ", or is not supported for " + method + ". Call ListModels to see the list of available "
                + "models and their supported methods.");
    }

    /** Gemini: the per-request Status for a request over the model's limits, or null (also for an unknown model, refused at create). */
    public static ObjectNode gemini(ModelCatalog models, String modelId, JsonNode request) {
        return gemini(models, modelId, request, 0);
    }

    /** As above, for a request whose prompt also holds {@code cachedTokens} of an explicit cache. */
    public static ObjectNode gemini(ModelCatalog models, String modelId, JsonNode request, long cachedTokens) {
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
        long prompt = TokenCounter.estimate(GeminiAnswers.promptChars(request)) + cachedTokens;
        if (model.contextWindow() > 0 && prompt > model.contextWindow()) {
            return GeminiAnswers.status(400, "The input token count (" + prompt + ") exceeds the maximum number of "
                    + "tokens allowed (" + model.contextWindow() + ").", "INVALID_ARGUMENT");
        }
        return null;
    }
}
