package dev.offpeak.schemas.json;

import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.BudgetThreshold;
import dev.offpeak.schemas.events.Event;
import dev.offpeak.schemas.events.JobCompleted;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.events.TaskCompleted;
import dev.offpeak.schemas.events.TaskSubmitted;
import java.util.Map;
import java.util.Optional;

/** The wire type names of the events, each with its record and JSON Schema resource. */
public enum EventTypes {
    TASK_SUBMITTED(TaskSubmitted.TYPE, TaskSubmitted.class),
    TASK_ACCEPTED(TaskAccepted.TYPE, TaskAccepted.class),
    BATCH_ITEM(BatchItem.TYPE, BatchItem.class),
    BATCH_CLOSED(BatchClosed.TYPE, BatchClosed.class),
    TASK_COMPLETED(TaskCompleted.TYPE, TaskCompleted.class),
    JOB_SEALED(JobSealed.TYPE, JobSealed.class),
    JOB_COMPLETED(JobCompleted.TYPE, JobCompleted.class),
    BUDGET_THRESHOLD(BudgetThreshold.TYPE, BudgetThreshold.class);

    private static final Map<String, EventTypes> BY_NAME = Map.of(
            TaskSubmitted.TYPE, TASK_SUBMITTED,
            TaskAccepted.TYPE, TASK_ACCEPTED,
            BatchItem.TYPE, BATCH_ITEM,
            BatchClosed.TYPE, BATCH_CLOSED,
            TaskCompleted.TYPE, TASK_COMPLETED,
            JobSealed.TYPE, JOB_SEALED,
            JobCompleted.TYPE, JOB_COMPLETED,
            BudgetThreshold.TYPE, BUDGET_THRESHOLD);

    private final String typeName;
    private final Class<? extends Event> recordClass;

    EventTypes(String typeName, Class<? extends Event> recordClass) {
        this.typeName = typeName;
        this.recordClass = recordClass;
    }

    public String typeName() {
        return typeName;
    }

    public Class<? extends Event> recordClass() {
        return recordClass;
    }

    /** Classpath resource of the JSON Schema, e.g. {@code /schemas/task.submitted.schema.json}. */
    public String schemaResource() {
        return "/schemas/" + typeName + ".schema.json";
    }

    public static Optional<EventTypes> byName(String typeName) {
        return Optional.ofNullable(BY_NAME.get(typeName));
    }
}
