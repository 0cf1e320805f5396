package dev.offpeak.schemas.pricing;

import dev.offpeak.schemas.events.Provider;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What Offpeak knows of one model a provider serves in batch: the limits admission checks, the
 * endpoints it answers, the smallest prompt prefix the provider caches, and its price rows oldest
 * first.
 *
 * @param match             other ids (aliases, dated snapshots) that name this model; null if only its id
 * @param maxOutputTokens   0 for models that produce no text (embeddings)
 * @param minCacheablePrefix the smallest prompt prefix (tokens) the provider caches, empty if it does not cache
 * @param contextNote        why the window is what it is where that is not obvious (e.g. a retired opt-in), or null
 */
public record ModelInfo(
        Provider provider,
        String id,
        ModelMatch match,
        long contextWindow,
        long maxOutputTokens,
        Set<String> endpoints,
        OptionalLong minCacheablePrefix,
        String contextNote,
        boolean deprecated,
        List<PriceEntry> prices) {

    public ModelInfo {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(id, "id");
        endpoints = Set.copyOf(endpoints);
        prices = List.copyOf(prices);
        minCacheablePrefix = minCacheablePrefix == null ? OptionalLong.empty() : minCacheablePrefix;
    }

    /** Whether {@code modelId} names this model: its own id, or one its match rule accepts. */
    public boolean names(String modelId) {
        return id.equalsIgnoreCase(modelId) || (match != null && match.matches(modelId));
    }

    /** The row in force at {@code at} (UTC date): the latest effective_from on or before it. */
    public Optional<PriceEntry> priceAt(Instant at) {
        LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
        PriceEntry found = null;
        for (PriceEntry row : prices) {
            if (!row.effectiveFrom().isAfter(day)) {
                found = row;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Whether the model has a flex tier (OpenAI {@code service_tier: "flex"}) under its latest row;
     * {@link PriceEntry#offersFlex()} says it for the row in force at a given day.
     */
    public boolean offersFlex() {
        return latestPrice().offersFlex();
    }

    /** The latest row: what a task submitted now is estimated at if no row is yet in force. */
    public PriceEntry latestPrice() {
        return prices.get(prices.size() - 1);
    }
}
