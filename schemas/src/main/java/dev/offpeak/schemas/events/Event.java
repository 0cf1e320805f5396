package dev.offpeak.schemas.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * An Offpeak event. Its wire type is the {@code type} field named by the JSON Schema (never a
 * Java class name); {@code schema_version} grows when the contract changes incompatibly.
 */
@JsonPropertyOrder({"type", "schema_version"})
public sealed interface Event
        permits TaskSubmitted, TaskAccepted, BatchRecord, TaskCompleted, JobSealed, JobCompleted, BudgetThreshold {

    @JsonProperty("type")
    String type();

    @JsonProperty("schema_version")
    default int schemaVersion() {
        return 1;
    }
}
