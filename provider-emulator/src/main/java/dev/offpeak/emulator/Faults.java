package dev.offpeak.emulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Faults armed by tests or the admin API. Call faults hit the next N calls of one endpoint
 * (provider + operation, see {@link Operations}); batch faults shape the next batch a provider
 * creates; quotas cap enqueued tokens per model.
 */
public final class Faults {

    /**
     * What the next calls of an endpoint do instead of (or before) their normal work.
     *
     * @param status     HTTP status to fail with; 0 means "do not fail" (a delay-only fault)
     * @param retryAfter sent as the provider sends it (OpenAI/Anthropic headers, Gemini RetryInfo); null: none
     * @param delay      extra latency before answering; null or zero: none
     */
    public record CallFault(int status, Duration retryAfter, Duration delay) {
        public boolean fails() {
            return status > 0;
        }
    }

    /** How the next batch of a provider misbehaves. */
    public sealed interface BatchFault {
        /** The batch stops after {@code lines} lines and expires right then, with partial results. */
        record ExpireAfterLines(int lines) implements BatchFault {
        }

        /** Every line fails; OpenAI completes with no output file, only an error file. */
        record AllLinesFail() implements BatchFault {
        }
    }

    private record Armed(CallFault fault, int remaining) {
    }

    private final Map<String, Armed> calls = new HashMap<>();
    private final Map<Provider, Deque<BatchFault>> batches = new HashMap<>();
    private final Map<String, Long> quotas = new HashMap<>();
    private final Map<Provider, Integer> flexSheds = new HashMap<>();

    /** The next {@code count} calls to the endpoint fail with {@code status} (and retry-after when not null). */
    public synchronized void failNext(Provider provider, String operation, int count, int status, Duration retryAfter) {
        arm(provider, operation, count, new CallFault(status, retryAfter, null));
    }

    /** The next {@code count} calls to the endpoint answer normally, after {@code delay}. */
    public synchronized void slowNext(Provider provider, String operation, int count, Duration delay) {
        arm(provider, operation, count, new CallFault(0, null, delay));
    }

    public synchronized void arm(Provider provider, String operation, int count, CallFault fault) {
        String op = Operations.require(provider, operation);
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        calls.put(key(provider, op), new Armed(fault, count));
    }

    /** Consumes one armed fault for this call, if any. */
    public synchronized Optional<CallFault> take(Provider provider, String operation) {
        String k = key(provider, operation);
        Armed a = calls.get(k);
        if (a == null) {
            return Optional.empty();
        }
        if (a.remaining() <= 1) {
            calls.remove(k);
        } else {
            calls.put(k, new Armed(a.fault(), a.remaining() - 1));
        }
        return Optional.of(a.fault());
    }

    /**
     * The next {@code count} flex-tier calls of the provider (OpenAI {@code service_tier: "flex"}, Gemini
     * {@code serviceTier: "flex"}) that pass their checks are shed as the tier sheds them: OpenAI 429
     * {@code resource_unavailable}, Gemini 503 {@code UNAVAILABLE}. Calls in other tiers are not affected.
     */
    public synchronized void shedNextFlex(Provider provider, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        flexSheds.merge(provider, count, Integer::sum);
    }

    /** Consumes one armed flex shed of the provider, if any. */
    public synchronized boolean takeFlexShed(Provider provider) {
        Integer n = flexSheds.get(provider);
        if (n == null || n < 1) {
            return false;
        }
        if (n == 1) {
            flexSheds.remove(provider);
        } else {
            flexSheds.put(provider, n - 1);
        }
        return true;
    }

    public synchronized void expireNextBatchAfterLines(Provider provider, int lines) {
        if (lines < 0) {
            throw new IllegalArgumentException("lines must be >= 0, got " + lines);
        }
        batches.computeIfAbsent(provider, p -> new ArrayDeque<>()).add(new BatchFault.ExpireAfterLines(lines));
    }

    public synchronized void failAllLinesOfNextBatch(Provider provider) {
        batches.computeIfAbsent(provider, p -> new ArrayDeque<>()).add(new BatchFault.AllLinesFail());
    }

    public synchronized Optional<BatchFault> takeBatchFault(Provider provider) {
        Deque<BatchFault> q = batches.get(provider);
        return q == null ? Optional.empty() : Optional.ofNullable(q.poll());
    }

    /** Caps the tokens of all unfinished batches of one model (OpenAI and Gemini enforce it). */
    public synchronized void setEnqueuedTokenQuota(Provider provider, String model, long tokens) {
        quotas.put(key(provider, model), tokens);
    }

    public synchronized OptionalLong enqueuedTokenQuota(Provider provider, String model) {
        Long q = quotas.get(key(provider, model));
        return q == null ? OptionalLong.empty() : OptionalLong.of(q);
    }

    public synchronized void clear() {
        calls.clear();
        batches.clear();
        quotas.clear();
        flexSheds.clear();
    }

    private static String key(Provider p, String s) {
        return p.wireName() + "." + s;
    }
}
