package dev.offpeak.batcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.OutputCap;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The estimated batch cost of a request: the estimated input tokens plus an output estimate, priced
 * with the registry row in force when the task was submitted, at the batch rate and the tier the
 * estimated prompt reaches.
 *
 * <p>Output estimate: the request's own output cap when it sets one ({@code max_tokens},
 * {@code max_completion_tokens}, {@code max_output_tokens}, Gemini's
 * {@code generationConfig.maxOutputTokens}), else 0. The cap is the most the line can bill for
 * output, so the estimate is an upper bound when a cap is given and a floor when it is not
 * (embeddings bill no output at all). No cache discount is assumed.
 */
public final class CostEstimator {
    private final ModelRegistry registry;

    public CostEstimator(ModelRegistry registry) {
        this.registry = registry;
    }

    public BigDecimal estimate(Provider provider, String model, JsonNode request, long inputTokens, Instant at) {
        Usage usage = new Usage(inputTokens, 0, 0, 0, outputEstimate(request), 0);
        // Validation guarantees the model is priced; a row effective only after `at` still prices it.
        return registry.find(provider, model)
                .map(m -> m.priceAt(at).orElse(m.latestPrice()))
                .map(price -> Cost.of(usage, price).batchUsd())
                .orElse(BigDecimal.ZERO);
    }

    static long outputEstimate(JsonNode request) {
        return OutputCap.of(request).orElse(0);
    }
}
