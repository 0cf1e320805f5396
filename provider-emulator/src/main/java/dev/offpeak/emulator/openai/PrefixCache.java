package dev.offpeak.emulator.openai;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAI's automatic prompt caching inside one batch: a prompt of at least 1024 tokens whose first
 * 1024 tokens match an earlier prompt of the batch reads the shared prefix from the cache, counted
 * in 128-token increments above the 1024 minimum. Lines are processed in input order, so the first
 * request with a prefix writes it and later ones hit it.
 *
 * <p>A prompt is remembered as one 64-bit hash per whole 128-token block, each hash covering the
 * prompt up to the end of its block, so two prompts share a cached prefix of k blocks exactly when
 * their first k hashes agree. That keeps a 128K-token prompt in 8 KB, with no cap on how long a
 * shared prefix can be; the number of remembered prompts is bounded.
 */
public final class PrefixCache {
    static final int MIN = 1024;
    static final int STEP = 128;
    private static final int MIN_BLOCKS = MIN / STEP;
    private static final int MAX_ENTRIES = 256;

    private final Map<Long, long[]> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, long[]> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** Cached tokens for this prompt; remembers it for later prompts. */
    public int cachedTokens(int[] prompt) {
        long[] blocks = blockHashes(prompt);
        if (blocks.length < MIN_BLOCKS) {
            return 0;
        }
        Long key = blocks[MIN_BLOCKS - 1];
        long[] earlier = seen.get(key);
        if (earlier == null) {
            seen.put(key, blocks);
            return 0;
        }
        int common = Arrays.mismatch(earlier, blocks);
        if (common < 0) {
            common = blocks.length;
        }
        if (blocks.length > earlier.length) {
            seen.put(key, blocks);
        }
        return common < MIN_BLOCKS ? 0 : common * STEP;
    }

    /** A running 64-bit hash over the token ids (FNV-style, with a shift for diffusion), sampled at every block end. */
    static long[] blockHashes(int[] prompt) {
        long[] out = new long[prompt.length / STEP];
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < out.length * STEP; i++) {
            h = (h ^ prompt[i]) * 0x100000001b3L;
            h ^= h >>> 29;
            if ((i + 1) % STEP == 0) {
                out[i / STEP] = h;
            }
        }
        return out;
    }
}
