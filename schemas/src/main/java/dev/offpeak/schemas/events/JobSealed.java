package dev.offpeak.schemas.events;

import java.time.Instant;

/** No more tasks will come for a job; see job.sealed.schema.json. */
public record JobSealed(String jobId, String tenant, Long taskCount, Instant sealedAt) implements Event {

    public static final String TYPE = "job.sealed";

    @Override
    public String type() {
        return TYPE;
    }
}
