package dev.offpeak.ingest;

/** What {@link TaskIntake} made of one task: ready to send, or rejected with reasons. */
public sealed interface IntakeResult permits IntakeResult.Ready, Rejection {

    /**
     * A checked, completed task.submitted: its task_id (for the answer), its Kafka record key (the
     * packing key, see {@link TaskKeys}) and the exact bytes to publish.
     */
    record Ready(String taskId, String key, byte[] value) implements IntakeResult {}
}
