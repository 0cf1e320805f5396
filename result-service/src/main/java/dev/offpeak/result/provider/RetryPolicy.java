package dev.offpeak.result.provider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How callers (submitter, poller) space their retries of a {@link Outcome.RetryLater}. A value,
 * not a loop: the clients never retry themselves, so a retry is always a scheduled, leased unit of
 * work that survives a restart.
 *
 * @param attempts       total attempts allowed, the first one included
 * @param initialBackoff delay before the second attempt
 * @param multiplier     growth per attempt (>= 1)
 * @param jitter         fraction in [0, 1]: the delay is spread uniformly over
 *                       {@code base * [1 - jitter, 1 + jitter]} so replicas do not retry in step
 * @param cap            no computed delay exceeds this (a provider's own hint may)
 */
public record RetryPolicy(int attempts, Duration initialBackoff, double multiplier, double jitter, Duration cap) {

    public RetryPolicy {
        List<String> bad = new ArrayList<>();
        if (attempts < 1) {
            bad.add("Invalid value " + attempts + " for attempts: must be >= 1");
        }
        if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()) {
            bad.add("Invalid value " + initialBackoff + " for initialBackoff: must be > 0");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            bad.add("Invalid value " + multiplier + " for multiplier: must be >= 1");
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            bad.add("Invalid value " + jitter + " for jitter: must be in [0, 1]");
        }
        if (cap == null || initialBackoff != null && cap.compareTo(initialBackoff) < 0) {
            bad.add("Invalid value " + cap + " for cap: must be >= initialBackoff");
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", bad));
        }
    }

    /** 8 attempts, 1 s doubling to at most 5 min, +-20 % jitter. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(8, Duration.ofSeconds(1), 2.0, 0.2, Duration.ofMinutes(5));
    }

    /** Whether another attempt is allowed after {@code attemptsMade} attempts. */
    public boolean allowsAnother(int attemptsMade) {
        return attemptsMade < attempts;
    }

    /**
     * Delay before attempt {@code attempt} (2 = the first retry), from the policy alone.
     *
     * @param random injected so tests are deterministic
     */
    public Duration delay(int attempt, RandomGenerator random) {
        if (attempt < 2) {
            throw new IllegalArgumentException("attempt must be >= 2 (the first attempt has no delay), got " + attempt);
        }
        double capMs = cap.toMillis();
        // computed in double and capped before jitter so large attempt numbers cannot overflow
        double base = Math.min(capMs, initialBackoff.toMillis() * Math.pow(multiplier, attempt - 2));
        double factor = 1.0 + jitter * (2.0 * random.nextDouble() - 1.0);
        return Duration.ofMillis(Math.round(Math.min(capMs, base * factor)));
    }

    /**
     * Delay before attempt {@code attempt} after a {@link Outcome.RetryLater}: the provider's own
     * hint (retry-after, RetryInfo) when it gave one — retrying sooner only earns another 429 —
     * otherwise the policy's backoff.
     */
    public Duration delayAfter(Outcome.RetryLater<?> retry, int attempt, RandomGenerator random) {
        return retry.after() != null ? retry.after() : delay(attempt, random);
    }
}
