package dev.offpeak.emulator;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.javalin.http.Context;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests-per-window limits of the synchronous endpoints (OpenAI chat completions / responses /
 * embeddings, Anthropic Messages, Gemini generateContent), off until a test or operator sets one
 * ({@link #set}, or {@code POST /_emulator/rate-limits}).
 *
 * <p>What it follows: each provider limits interactive requests per model and organization / project
 * (OpenAI RPM per model, https://platform.openai.com/docs/guides/rate-limits; Anthropic RPM per model
 * class, https://platform.claude.com/docs/en/api/rate-limits; Gemini RPM per model and project,
 * https://ai.google.dev/gemini-api/docs/rate-limits), replenished continuously rather than at a fixed
 * minute (Anthropic: "token bucket algorithm ... continuously replenished up to your maximum limit").
 * The emulator keeps one bucket per provider, model and caller (its cache scope, standing in for the
 * organization): capacity {@code requests}, refilled at {@code requests / per}, on the wall clock (a
 * client's waits are real). A call over the limit is refused 429 with {@code retry-after} (and
 * OpenAI's {@code retry-after-ms}) until one request is free again; Gemini says it in
 * {@code RetryInfo.retryDelay}.
 *
 * <p>Headers on every call of a limited lane, as the providers send them: OpenAI
 * {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests} and
 * {@code x-ratelimit-reset-requests} (time until the bucket is full again, as {@code 1s}, {@code 250ms},
 * {@code 6m0s}); Anthropic {@code anthropic-ratelimit-requests-limit | remaining | reset} (the reset
 * an RFC 3339 time). Gemini sends none.
 *
 * <p>A lane may also limit input tokens per period (OpenAI TPM, Anthropic ITPM, Gemini TPM), counted as
 * the request body's characters / 4: the providers count a request against the limit from an estimate
 * made before it is processed (OpenAI: "based on the character count of your request"); their exact
 * formulas are [unconfirmed]. Headers: OpenAI {@code x-ratelimit-limit|remaining|reset-tokens},
 * Anthropic {@code anthropic-ratelimit-input-tokens-limit|remaining|reset}. A request larger than the
 * whole limit is refused 429 without a retry hint (it would never pass).
 */
public final class SyncRateLimits {
    /** Context attribute set when a limited lane wrote its rate-limit headers (an error body keeps them). */
    static final String HEADERS_SENT = "emulator.rate-limit-headers";
    /**
     * A limit of {@code requests} and {@code tokens} (input; 0: none) per {@code per}, for models whose id
     * starts with {@code modelPrefix}.
     */
    public record Limit(long requests, long tokens, Duration per) {
        public Limit {
            if (requests < 1 || tokens < 0 || per == null || per.isNegative() || per.isZero()) {
                throw new IllegalArgumentException("a rate limit needs requests >= 1, tokens >= 0 and a positive period");
            }
        }
    }

    private record Buckets(Bucket requests, Bucket tokens) {}

    private final Map<String, Limit> limits = new ConcurrentHashMap<>();
    private final Map<String, Buckets> buckets = new ConcurrentHashMap<>();

    /** Limits the synchronous calls of {@code provider}'s models starting with {@code modelPrefix}. */
    public void set(Provider provider, String modelPrefix, long requests, Duration per) {
        set(provider, modelPrefix, requests, 0, per);
    }

    /** Limits requests and input tokens ({@code tokens}, 0: none) per {@code per}. */
    public void set(Provider provider, String modelPrefix, long requests, long tokens, Duration per) {
        limits.put(provider.wireName() + "|" + modelPrefix, new Limit(requests, tokens, per));
        buckets.clear();
    }

    /** The input tokens a request counts for against a token limit: its body's characters / 4, rounded up. */
    public static long tokensOf(com.fasterxml.jackson.databind.JsonNode body) {
        return (Json.write(body).length() + 3) / 4;
    }

    /** No limits any more. */
    public void clear() {
        limits.clear();
        buckets.clear();
    }

    private Optional<Limit> limitOf(Provider provider, String model) {
        String key = provider.wireName() + "|";
        return limits.entrySet().stream().filter(e -> e.getKey().startsWith(key)
                        && model.startsWith(e.getKey().substring(key.length())))
                .max(java.util.Comparator.comparingInt(e -> e.getKey().length())).map(Map.Entry::getValue);
    }

    /**
     * Admits one synchronous call of {@code model} by the caller {@code scope}, counting its input tokens
     * ({@link #tokensOf}, asked only when the lane limits tokens), or refuses it with the provider's 429; either way the provider's rate-limit headers go on
     * {@code ctx}.
     */
    public void admit(Provider provider, String model, String scope, Context ctx,
                      java.util.function.LongSupplier inputTokens) {
        Optional<Limit> found = limitOf(provider, model);
        if (found.isEmpty()) {
            return;
        }
        Limit limit = found.get();
        long tokens = limit.tokens() == 0 ? 0 : inputTokens.getAsLong();
        Buckets b = buckets.computeIfAbsent(provider.wireName() + "|" + model + "|" + scope, k -> new Buckets(
                bucket(limit.requests(), limit.per()), limit.tokens() == 0 ? null : bucket(limit.tokens(), limit.per())));
        boolean tooLarge = b.tokens() != null && tokens > limit.tokens();
        EstimationProbe r = b.requests().estimateAbilityToConsume(1);
        EstimationProbe t = b.tokens() == null || tooLarge ? null : b.tokens().estimateAbilityToConsume(tokens);
        boolean admitted = !tooLarge && r.canBeConsumed() && (t == null || t.canBeConsumed());
        if (admitted) {
            b.requests().tryConsume(1);
            if (b.tokens() != null) {
                b.tokens().tryConsume(tokens);
            }
        }
        headers(provider, ctx, "requests", limit.requests(), b.requests());
        if (b.tokens() != null) {
            headers(provider, ctx, "tokens", limit.tokens(), b.tokens());
        }
        ctx.attribute(HEADERS_SENT, Boolean.TRUE);
        if (tooLarge) {
            throw new ApiException(429, "Request too large for " + model + ": limit " + limit.tokens()
                    + " input tokens per " + limit.per().toSeconds() + " s, requested " + tokens + ".");
        }
        if (!admitted) {
            Duration wait = Duration.ofNanos(Math.max(r.canBeConsumed() ? 0 : r.getNanosToWaitForRefill(),
                    t == null || t.canBeConsumed() ? 0 : t.getNanosToWaitForRefill()));
            throw new ApiException(429, ErrorBodies.faultMessage(provider, 429), null, null, null, wait);
        }
    }

    private static Bucket bucket(long capacity, Duration per) {
        return Bucket.builder().addLimit(l -> l.capacity(capacity).refillGreedy(capacity, per)).build();
    }

    /** One limit's headers: what is left now, and the time until the bucket is full again. */
    private static void headers(Provider provider, Context ctx, String kind, long limit, Bucket bucket) {
        long remaining = Math.max(0, bucket.getAvailableTokens());
        Duration untilFull = Duration.ofNanos(bucket.estimateAbilityToConsume(limit).getNanosToWaitForRefill());
        headers(provider, ctx, kind, limit, remaining, untilFull);
    }

    private static void headers(Provider provider, Context ctx, String kind, long limit, long remaining,
                                Duration reset) {
        switch (provider) {
            case OPENAI -> {
                ctx.header("x-ratelimit-limit-" + kind, Long.toString(limit));
                ctx.header("x-ratelimit-remaining-" + kind, Long.toString(remaining));
                ctx.header("x-ratelimit-reset-" + kind, goDuration(reset));
            }
            case ANTHROPIC -> {
                String prefix = "anthropic-ratelimit-" + ("tokens".equals(kind) ? "input-tokens" : kind);
                ctx.header(prefix + "-limit", Long.toString(limit));
                ctx.header(prefix + "-remaining", Long.toString(remaining));
                ctx.header(prefix + "-reset", Instant.now().plus(reset).toString());
            }
            case GEMINI -> {
                // Gemini sends no rate-limit headers
            }
        }
    }

    /** OpenAI's way of writing a duration: {@code 6m0s}, {@code 1.5s}, {@code 250ms}, {@code 0s}. */
    static String goDuration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 1000) {
            return ms + "ms";
        }
        long minutes = ms / 60_000;
        long restMs = ms % 60_000;
        String seconds = restMs % 1000 == 0 ? Long.toString(restMs / 1000)
                : java.math.BigDecimal.valueOf(restMs, 3).stripTrailingZeros().toPlainString();
        return (minutes > 0 ? minutes + "m" : "") + seconds + "s";
    }
}
