package dev.offpeak.result.metrics;

import dev.offpeak.result.store.BatchStore;
import dev.offpeak.result.submit.SubmitSettings;

/** Refreshes the gauges read from the database: batches by state, reserved tokens beside each quota. */
public final class BatchGauges {
    private final BatchStore batches;
    private final SubmitSettings submit;
    private final ResultMetrics metrics;

    public BatchGauges(BatchStore batches, SubmitSettings submit, ResultMetrics metrics) {
        this.batches = batches;
        this.submit = submit;
        this.metrics = metrics;
    }

    /** One refresh; returns 0 so its loop waits a period before the next one. */
    public int refreshOnce() {
        metrics.batchStates(batches.countByStateAndMode());
        for (BatchStore.Reserved r : batches.reservedByModel()) {
            metrics.reservedTokens(r.provider().id(), r.model(), r.tokens(), submit.quotaTokens(r.provider(), r.model()));
        }
        return 0;
    }
}
