package dev.offpeak.emulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Calls per endpoint and batches created per provider, so tests can prove nothing was submitted twice. */
public final class Counters {
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Map<Provider, AtomicLong> created = new ConcurrentHashMap<>();

    void call(Provider provider, String operation) {
        calls.computeIfAbsent(provider.wireName() + "." + operation, k -> new AtomicLong()).incrementAndGet();
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

    /** {@code {"batches_created": {...}, "calls": {"openai.create_batch": 1, ...}}} */
    public Map<String, Object> snapshot() {
        Map<String, Long> c = new TreeMap<>();
        calls.forEach((k, v) -> c.put(k, v.get()));
        Map<String, Long> b = new TreeMap<>();
        for (Provider p : Provider.values()) {
            b.put(p.wireName(), batchesCreated(p));
        }
        return Map.of("batches_created", b, "calls", c);
    }

    void clear() {
        calls.clear();
        created.clear();
    }
}
