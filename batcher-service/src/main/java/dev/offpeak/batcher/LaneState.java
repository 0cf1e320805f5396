package dev.offpeak.batcher;

import dev.offpeak.schemas.events.Provider;
import java.time.Instant;
import java.util.List;

/**
 * A lane's entry in the lane store: its batch counter (kept after a batch closes, so ids never
 * repeat) and the header of its open batch, if any. Never the lines themselves: those are on
 * {@code offpeak.batch-items} already, so a 200 MB batch costs a few hundred bytes of state.
 */
public record LaneState(Provider provider, String endpoint, String model, long nextNumber, OpenBatch open) {

    /**
     * The open batch's header. {@code closeBy}: when a sealed job holds a line here, the batch
     * closes at this instant (the seal grace), so the job's last lines can still join it.
     */
    public record OpenBatch(
            String batchId,
            long count,
            long bytes,
            long tokens,
            Instant openedAt,
            List<String> jobIds,
            RunningSha256 checksum,
            Instant closeBy) {

        public OpenBatch {
            jobIds = List.copyOf(jobIds);
        }
    }

    public LaneState withOpen(OpenBatch batch) {
        return new LaneState(provider, endpoint, model, nextNumber, batch);
    }
}
