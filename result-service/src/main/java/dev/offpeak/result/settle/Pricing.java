package dev.offpeak.result.settle;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.PriceCatalog;
import dev.offpeak.schemas.pricing.PriceEntry;
import java.time.Instant;

/** Prices usage with the catalog row in force when the batch was submitted. Never prices at zero by default. */
public final class Pricing {
    private final PriceCatalog catalog;

    public Pricing(PriceCatalog catalog) {
        this.catalog = catalog;
    }

    public Cost cost(Provider provider, String model, Instant submittedAt, Usage usage) {
        return Cost.of(usage, priceFor(provider, model, submittedAt));
    }

    /** The row in force; a missing row stops the settlement (visible batch error), never a zero price. */
    public PriceEntry priceFor(Provider provider, String model, Instant submittedAt) {
        return catalog.priceAt(provider, model, submittedAt).orElseThrow(() -> new IllegalStateException(
                "no price for " + provider.id() + "/" + model + " at " + submittedAt
                        + ": add a row to the price catalog; the batch stays unsettled until then"));
    }
}
