package dev.offpeak.schemas.events;

import java.time.Instant;
import java.util.List;

/** The marker after the last line of a batch; see batch.closed.schema.json. */
public record BatchClosed(
        String batchId,
        String lane,
        Provider provider,
        String endpoint,
        String model,
        long itemCount,
        long bytes,
        long estimatedTokens,
        String idsChecksum,
        CloseReason closeReason,
        Instant openedAt,
        Instant closedAt,
        List<String> jobIds) implements BatchRecord {

    public static final String TYPE = "batch.closed";

    public BatchClosed {
        jobIds = jobIds == null ? List.of() : List.copyOf(jobIds);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
