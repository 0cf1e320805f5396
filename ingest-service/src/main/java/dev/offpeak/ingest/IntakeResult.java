package dev.offpeak.ingest;

/** What {@link TaskIntake} made of one task: ready to send, or rejected with reasons. */
public sealed interface IntakeResult permits IntakeResult.Ready, Rejection {

    /** A checked, completed task.submitted: its Kafka key and the exact bytes to publish. */
    record Ready(String taskId, byte[] value) implements IntakeResult {}
}
