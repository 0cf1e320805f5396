package dev.offpeak.emulator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAI's automatic prompt caching inside one batch: a prompt of at least 1024 tokens whose first
 * 1024 tokens match an earlier prompt of the batch reads the shared prefix from the cache, counted
 * in 128-token increments above the 1024 minimum. Lines are processed in input order, so the first
 * request with a prefix writes it and later ones hit it. Bounded, so memory does not grow with the batch.
 */
public final class PrefixCache {
    static final int MIN = 1024;
    static final int STEP = 128;
    private static final int KEEP_TOKENS = 32_768;
    private static final int MAX_ENTRIES = 256;

    private final Map<Integer, int[]> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, int[]> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** Cached tokens for this prompt; remembers it for later prompts. */
    public int cachedTokens(int[] prompt) {
        if (prompt.length < MIN) {
            return 0;
        }
        int key = Arrays.hashCode(Arrays.copyOf(prompt, MIN));
        int[] earlier = seen.get(key);
        if (earlier == null) {
            seen.put(key, Arrays.copyOf(prompt, Math.min(prompt.length, KEEP_TOKENS)));
            return 0;
        }
        int common = Arrays.mismatch(earlier, prompt);
        if (common < 0) {
            common = Math.min(earlier.length, prompt.length);
        }
        common = Math.min(common, Math.min(earlier.length, prompt.length));
        if (common < MIN) {
            return 0;
        }
        if (prompt.length > earlier.length) {
            seen.put(key, Arrays.copyOf(prompt, Math.min(prompt.length, KEEP_TOKENS)));
        }
        return MIN + (common - MIN) / STEP * STEP;
    }
}
