package dev.offpeak.schemas.events;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why the batcher closed a pipeline batch. */
public enum CloseReason {
    /** the next line would exceed the lane's request count */
    COUNT,
    /** the next line would exceed the lane's byte limit */
    BYTES,
    /** the next line would exceed the lane's estimated-token limit */
    TOKENS,
    /** the batch was open longer than the maximum wait */
    AGE,
    /** a job with tasks in the batch was sealed */
    JOB_SEALED;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
