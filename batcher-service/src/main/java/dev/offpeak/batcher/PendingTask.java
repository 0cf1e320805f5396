package dev.offpeak.batcher;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.RequestedMode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * A validated task with everything computed once at intake: identity, lane, provider line, its
 * size and token estimate, and its cacheable prefix (fingerprint and the prefix's share of the
 * estimate). It travels through the repartition topic instead of the original task, and carries
 * the request only inside {@code line}.
 *
 * @param lane {@code provider|endpoint|model}
 * @param prefixFingerprint the {@link dev.offpeak.schemas.packing.CacheablePrefix} fingerprint, {@code "-"} for none
 * @param prefixTokens the estimated input tokens of that prefix (part of {@code estimatedTokens}); 0 for none
 * @param mode the mode the task asked for, null for none; the line it brings carries it (a duplicate
 *     brings none, so the first task's mode is the line's)
 */
public record PendingTask(
        String taskId,
        String tenant,
        String jobId,
        Provider provider,
        String endpoint,
        String model,
        Map<String, String> metadata,
        Instant notAfter,
        Instant submittedAt,
        String requestId,
        String lane,
        String line,
        long lineBytes,
        long estimatedTokens,
        BigDecimal estimatedCostUsd,
        String prefixFingerprint,
        long prefixTokens,
        RequestedMode mode) {

    public PendingTask {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
