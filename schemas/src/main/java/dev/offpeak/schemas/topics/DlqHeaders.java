package dev.offpeak.schemas.topics;

/** Header names on {@link Topics#TASKS_DLQ} records; values are UTF-8 strings. */
public final class DlqHeaders {
    /** short machine-readable reason: malformed_json, invalid_task, too_large, ... */
    public static final String REASON = "offpeak.dlq.reason";
    /** the problems, one "field: message" per line */
    public static final String PROBLEMS = "offpeak.dlq.problems";
    public static final String SOURCE_TOPIC = "offpeak.dlq.source.topic";
    public static final String SOURCE_PARTITION = "offpeak.dlq.source.partition";
    public static final String SOURCE_OFFSET = "offpeak.dlq.source.offset";
    /** which service sent the record to the DLQ */
    public static final String SERVICE = "offpeak.dlq.service";

    private DlqHeaders() {}
}
