package dev.offpeak.schemas.topics;

import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.BudgetThreshold;
import dev.offpeak.schemas.events.JobCompleted;
import dev.offpeak.schemas.events.JobSealed;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.events.TaskCompleted;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.EventSerde;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic of Offpeak, with its key and value types. */
public final class Topics {
    /**
     * Producers' tasks; key: the task's packing key ({@link dev.offpeak.schemas.packing.PackingKey#key()}),
     * so the batcher packs it in place; any other key (e.g. task_id) still works, at the cost of one
     * repartition.
     */
    public static final Topic<String, TaskSubmitted> TASKS =
            new Topic<>("offpeak.tasks", Serdes.String(), EventSerde.of(TaskSubmitted.class));

    /** Tasks that could not be read or validated: the original key and bytes, reason in {@link DlqHeaders}. */
    public static final Topic<byte[], byte[]> TASKS_DLQ =
            new Topic<>("offpeak.tasks.dlq", Serdes.ByteArray(), Serdes.ByteArray());

    /** Job control: job.sealed; key job_id. */
    public static final Topic<String, JobSealed> JOBS =
            new Topic<>("offpeak.jobs", Serdes.String(), EventSerde.of(JobSealed.class));

    /** Every accepted task, original or duplicate; key task_id. */
    public static final Topic<String, TaskAccepted> TASK_ACCEPTED =
            new Topic<>("offpeak.task-accepted", Serdes.String(), EventSerde.of(TaskAccepted.class));

    /** Batch lines then the batch-closed marker, all of one batch on one partition; key batch_id. */
    public static final Topic<String, BatchRecord> BATCH_ITEMS =
            new Topic<>("offpeak.batch-items", Serdes.String(), EventSerde.of(BatchRecord.class));

    /** One event per terminal task (at least once; dedup by event_id); key task_id. */
    public static final Topic<String, TaskCompleted> TASK_COMPLETED =
            new Topic<>("offpeak.task-completed", Serdes.String(), EventSerde.of(TaskCompleted.class));

    /** One event per completed job; key job_id. */
    public static final Topic<String, JobCompleted> JOB_COMPLETED =
            new Topic<>("offpeak.job-completed", Serdes.String(), EventSerde.of(JobCompleted.class));

    /** Budget alerts (budget.threshold); key budget_id. */
    public static final Topic<String, BudgetThreshold> BUDGET_EVENTS =
            new Topic<>("offpeak.budget-events", Serdes.String(), EventSerde.of(BudgetThreshold.class));

    private Topics() {}

    /** All topics, in pipeline order. */
    public static List<Topic<?, ?>> all() {
        return List.of(TASKS, TASKS_DLQ, JOBS, TASK_ACCEPTED, BATCH_ITEMS, TASK_COMPLETED, JOB_COMPLETED, BUDGET_EVENTS);
    }
}
