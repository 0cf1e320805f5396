package dev.offpeak.result.settle;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.PriceEntry;
import java.time.Instant;

/**
 * Prices usage with the registry row in force when the batch was submitted, at the tier the line's
 * prompt reached. Never prices at zero by default.
 */
public final class Pricing {
    private final ModelRegistry registry;

    public Pricing(ModelRegistry registry) {
        this.registry = registry;
    }

    public Cost cost(Provider provider, String model, Instant submittedAt, Usage usage) {
        return Cost.of(usage, priceFor(provider, model, submittedAt));
    }

    /** The row in force; a missing row stops the settlement (visible batch error), never a zero price. */
    public PriceEntry priceFor(Provider provider, String model, Instant submittedAt) {
        return registry.priceAt(provider, model, submittedAt).orElseThrow(() -> new IllegalStateException(
                "no price for " + provider.id() + "/" + model + " at " + submittedAt
                        + ": add the model or a price row to the model registry (or the override file); the batch stays unsettled until then"));
    }
}
