package dev.offpeak.emulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls per endpoint and batches created per provider, so tests can prove nothing was submitted twice;
 * and, for the synchronous endpoints, what became of each call per service tier, so a test can prove
 * "this request ran once, in flex".
 */
public final class Counters {
    /** What became of a synchronous call that got past the key check and any injected fault. */
    public enum SyncOutcome {
        /** Answered 200 (billed). */
        ANSWERED,
        /** Refused 4xx for its content: request rules, model limits, a tier the model does not offer. */
        REFUSED,
        /** Flex capacity shed it (OpenAI 429 resource_unavailable, Gemini 503). */
        SHED,
        /** Over the lane's requests-per-window limit ({@link SyncRateLimits}): 429 with a retry hint. */
        RATE_LIMITED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> sync = new ConcurrentHashMap<>();
    private final Map<Provider, AtomicLong> created = new ConcurrentHashMap<>();

    void call(Provider provider, String operation) {
        calls.computeIfAbsent(provider.wireName() + "." + operation, k -> new AtomicLong()).incrementAndGet();
    }

    /**
     * Records a synchronous call's outcome; {@code tier} is the tier it was served in or asked for, in the
     * emulator's neutral names: {@code standard} (OpenAI {@code default}, Anthropic and Gemini {@code standard})
     * or {@code flex}.
     */
    public void syncCall(Provider provider, String operation, String tier, SyncOutcome outcome) {
        sync.computeIfAbsent(syncKey(provider, Operations.require(provider, operation), tier, outcome),
                k -> new AtomicLong()).incrementAndGet();
    }

    private static String syncKey(Provider provider, String operation, String tier, SyncOutcome outcome) {
        return provider.wireName() + "." + operation + "." + tier + "." + outcome.wire();
    }

    /** Synchronous calls of one endpoint with this tier and outcome. */
    public long sync(Provider provider, String operation, String tier, SyncOutcome outcome) {
        AtomicLong n = sync.get(syncKey(provider, Operations.require(provider, operation), tier, outcome));
        return n == null ? 0 : n.get();
    }

    /** Synchronous calls of the provider answered in this tier, all endpoints together. */
    public long syncAnswered(Provider provider, String tier) {
        return sumSync(provider, tier, SyncOutcome.ANSWERED);
    }

    /** Flex calls of the provider shed (answered 429 / 503 for lack of capacity), all endpoints together. */
    public long flexShed(Provider provider) {
        return sumSync(provider, "flex", SyncOutcome.SHED);
    }

    /** Synchronous calls of the provider refused by a rate limit ({@link SyncRateLimits}), every endpoint and tier. */
    public long syncRateLimited(Provider provider) {
        return sumSync(provider, "standard", SyncOutcome.RATE_LIMITED) + sumSync(provider, "flex", SyncOutcome.RATE_LIMITED);
    }

    private long sumSync(Provider provider, String tier, SyncOutcome outcome) {
        String prefix = provider.wireName() + ".";
        String suffix = "." + tier + "." + outcome.wire();
        long n = 0;
        for (var e : sync.entrySet()) {
            if (e.getKey().startsWith(prefix) && e.getKey().endsWith(suffix)) {
                n += e.getValue().get();
            }
        }
        return n;
    }

    void batchCreated(Provider provider) {
        created.computeIfAbsent(provider, k -> new AtomicLong()).incrementAndGet();
    }

    /** Every call that reached the endpoint, including those answered by an injected fault or an auth error. */
    public long calls(Provider provider, String operation) {
        AtomicLong n = calls.get(provider.wireName() + "." + Operations.require(provider, operation));
        return n == null ? 0 : n.get();
    }

    /** Batches that were really created (a call failed by a fault creates none). */
    public long batchesCreated(Provider provider) {
        AtomicLong n = created.get(provider);
        return n == null ? 0 : n.get();
    }

    /**
     * {@code {"batches_created": {...}, "calls": {"openai.create_batch": 1, ...},
     * "sync": {"openai.chat_completions.flex.answered": 1, "openai.responses.flex.shed": 2, ...}}}
     */
    public Map<String, Object> snapshot() {
        Map<String, Long> c = new TreeMap<>();
        calls.forEach((k, v) -> c.put(k, v.get()));
        Map<String, Long> b = new TreeMap<>();
        for (Provider p : Provider.values()) {
            b.put(p.wireName(), batchesCreated(p));
        }
        Map<String, Long> s = new TreeMap<>();
        sync.forEach((k, v) -> s.put(k, v.get()));
        return Map.of("batches_created", b, "calls", c, "sync", s);
    }

    void clear() {
        calls.clear();
        created.clear();
        sync.clear();
    }
}
