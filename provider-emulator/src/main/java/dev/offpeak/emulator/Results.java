package dev.offpeak.emulator;

import java.nio.file.Path;

/**
 * What a terminal batch produced, written once when the batch is first seen terminal.
 *
 * @param outputFileId provider file id of successful lines (OpenAI output file, Gemini responses file), or null
 * @param errorFileId  OpenAI error file id, or null
 * @param resultsPath  internal JSONL (Anthropic results, Gemini inline responses), or null
 */
public record Results(String outputFileId, String errorFileId, Path resultsPath, Usage usage,
                      int succeeded, int errored, int expired, int cancelled) {

    /** Token totals over the billed lines. */
    public record Usage(long inputTokens, long cachedTokens, long cacheWriteTokens, long outputTokens) {
        public static final Usage ZERO = new Usage(0, 0, 0, 0);

        public Usage plus(long in, long cached, long write, long out) {
            return new Usage(inputTokens + in, cachedTokens + cached, cacheWriteTokens + write, outputTokens + out);
        }
    }

    public static final Results NONE = new Results(null, null, null, Usage.ZERO, 0, 0, 0, 0);
}
