package dev.offpeak.batcher.config;

/**
 * The effective limits of one lane's batches, margin applied. Requests are counted exactly, so they
 * get no margin; bytes get it because providers do not say whether "MB" is 10^6 or 2^20 and wrap the
 * lines (Anthropic's JSON body); tokens get it because they are estimates.
 */
public record LaneLimits(long maxRequests, long maxBytes, long maxTokens) {
    public static final long UNLIMITED = Long.MAX_VALUE;

    static LaneLimits of(ProviderLimits provider, Long tokenLimit, double margin) {
        long tokens = tokenLimit == null ? UNLIMITED : withMargin(tokenLimit, margin);
        return new LaneLimits(provider.maxRequests(), withMargin(provider.maxBytes(), margin), tokens);
    }

    private static long withMargin(long limit, double margin) {
        return (long) Math.floor(limit * (1.0 - margin));
    }

    /** Whether a single line fits an empty batch; a line that does not can never be submitted. */
    public boolean admits(long lineBytes, long tokens) {
        return maxRequests >= 1 && lineBytes <= maxBytes && tokens <= maxTokens;
    }
}
