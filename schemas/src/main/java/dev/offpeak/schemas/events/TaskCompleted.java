package dev.offpeak.schemas.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/** A task reached its terminal status; see task.completed.schema.json. */
public record TaskCompleted(
        String eventId,
        String taskId,
        String tenant,
        String jobId,
        TaskStatus status,
        String requestId,
        boolean duplicate,
        Provider provider,
        String model,
        String endpoint,
        String batchId,
        String providerBatchId,
        Integer httpStatus,
        ObjectNode response,
        String responseRef,
        ErrorInfo error,
        Usage usage,
        BigDecimal costUsd,
        BigDecimal syncCostUsd,
        BigDecimal savedUsd,
        String priceVersion,
        int attempts,
        Map<String, String> metadata,
        Instant submittedAt,
        Instant acceptedAt,
        Instant completedAt) implements Event {

    public static final String TYPE = "task.completed";

    public TaskCompleted {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
