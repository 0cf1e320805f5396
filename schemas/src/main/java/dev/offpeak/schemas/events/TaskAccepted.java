package dev.offpeak.schemas.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/** The batcher accepted a task (original or duplicate); see task.accepted.schema.json. */
public record TaskAccepted(
        String taskId,
        String tenant,
        String jobId,
        String requestId,
        Provider provider,
        String model,
        String endpoint,
        String lane,
        boolean duplicate,
        String originalTaskId,
        long estimatedInputTokens,
        BigDecimal estimatedCostUsd,
        Map<String, String> metadata,
        Instant notAfter,
        Instant submittedAt,
        Instant acceptedAt) implements Event {

    public static final String TYPE = "task.accepted";

    public TaskAccepted {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
