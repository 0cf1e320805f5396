package dev.offpeak.emulator;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
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
 * an RFC 3339 time). Gemini sends none. Token limits (TPM / ITPM) are not modelled: the buckets count
 * requests.
 */
public final class SyncRateLimits {
    /** Context attribute set when a limited lane wrote its rate-limit headers (an error body keeps them). */
    static final String HEADERS_SENT = "emulator.rate-limit-headers";
    /** A limit of {@code requests} per {@code per}, for models whose id starts with {@code modelPrefix}. */
    public record Limit(long requests, Duration per) {
        public Limit {
            if (requests < 1 || per == null || per.isNegative() || per.isZero()) {
                throw new IllegalArgumentException("a rate limit needs requests >= 1 and a positive period");
            }
        }
    }

    private final Map<String, Limit> limits = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Limits the synchronous calls of {@code provider}'s models starting with {@code modelPrefix}. */
    public void set(Provider provider, String modelPrefix, long requests, Duration per) {
        limits.put(provider.wireName() + "|" + modelPrefix, new Limit(requests, per));
        buckets.clear();
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
     * Admits one synchronous call of {@code model} by the caller {@code scope}, or refuses it with
     * the provider's 429; either way the provider's rate-limit headers go on {@code ctx}.
     */
    public void admit(Provider provider, String model, String scope, Context ctx) {
        Optional<Limit> found = limitOf(provider, model);
        if (found.isEmpty()) {
            return;
        }
        Limit limit = found.get();
        Bucket bucket = buckets.computeIfAbsent(provider.wireName() + "|" + model + "|" + scope,
                k -> Bucket.builder().addLimit(l -> l.capacity(limit.requests()).refillGreedy(limit.requests(), limit.per()))
                        .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        long remaining = probe.getRemainingTokens();
        Duration untilFull = Duration.ofNanos(bucket.estimateAbilityToConsume(limit.requests()).getNanosToWaitForRefill());
        headers(provider, ctx, limit.requests(), remaining, untilFull);
        ctx.attribute(HEADERS_SENT, Boolean.TRUE);
        if (!probe.isConsumed()) {
            Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
            throw new ApiException(429, ErrorBodies.faultMessage(provider, 429), null, null, null, wait);
        }
    }

    private static void headers(Provider provider, Context ctx, long limit, long remaining, Duration reset) {
        switch (provider) {
            case OPENAI -> {
                ctx.header("x-ratelimit-limit-requests", Long.toString(limit));
                ctx.header("x-ratelimit-remaining-requests", Long.toString(remaining));
                ctx.header("x-ratelimit-reset-requests", goDuration(reset));
            }
            case ANTHROPIC -> {
                ctx.header("anthropic-ratelimit-requests-limit", Long.toString(limit));
                ctx.header("anthropic-ratelimit-requests-remaining", Long.toString(remaining));
                ctx.header("anthropic-ratelimit-requests-reset", Instant.now().plus(reset).toString());
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
