package dev.offpeak.schemas.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.pricing.RequestedMode;
import java.time.Instant;
import java.util.Map;

/**
 * A producer's task on {@code offpeak.tasks}; see task.submitted.schema.json. {@code mode} is the
 * mode the task asks its line to run in (null: none asked, so result-service's tenant or lane default
 * decides). It is not part of the request identity: a duplicate shares its original's line, and so
 * that line's mode, whatever it asked.
 */
public record TaskSubmitted(
        String taskId,
        String tenant,
        String jobId,
        Provider provider,
        String model,
        String endpoint,
        ObjectNode request,
        Map<String, String> metadata,
        Boolean dedup,
        DedupScope dedupScope,
        Instant notAfter,
        Instant submittedAt,
        RequestedMode mode) implements Event {

    public static final String TYPE = "task.submitted";

    public TaskSubmitted {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** Dedup is on unless the producer switched it off. */
    public boolean dedupEnabled() {
        return dedup == null || dedup;
    }

    /** The effective dedup scope (tenant unless the task says global). */
    public DedupScope effectiveDedupScope() {
        return dedupScope == null ? DedupScope.TENANT : dedupScope;
    }
}
