package dev.offpeak.batcher;

import dev.offpeak.schemas.events.Provider;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * A validated task with everything computed once at intake: identity, lane, provider line, its
 * size and token estimate. It travels through the repartition topics instead of the original task,
 * and carries the request only inside {@code line}.
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
        BigDecimal estimatedCostUsd) {

    public PendingTask {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
