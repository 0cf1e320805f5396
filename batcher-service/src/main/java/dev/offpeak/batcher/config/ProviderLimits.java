package dev.offpeak.batcher.config;

/**
 * What one provider accepts in one batch: requests and bytes of the input file (or body). These are
 * the provider's published numbers; {@link LaneLimits} applies the safety margin.
 */
public record ProviderLimits(long maxRequests, long maxBytes) {
    /** OpenAI: 50,000 requests, 200 MB input file. */
    public static final ProviderLimits OPENAI = new ProviderLimits(50_000, 200_000_000L);
    /** Anthropic: 100,000 requests, 256 MB request body. */
    public static final ProviderLimits ANTHROPIC = new ProviderLimits(100_000, 256_000_000L);
    /** Gemini: a 2 GB input file; no published request count, so ours is a configurable default. */
    public static final ProviderLimits GEMINI = new ProviderLimits(100_000, 2_000_000_000L);
}
