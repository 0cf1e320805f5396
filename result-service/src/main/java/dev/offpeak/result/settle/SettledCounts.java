package dev.offpeak.result.settle;

import dev.offpeak.result.provider.ResultLine.LineOutcome;

/** Lines of one batch by outcome; their sum must equal the lines submitted. */
public record SettledCounts(long succeeded, long errored, long expired, long cancelled) {
    public static final SettledCounts ZERO = new SettledCounts(0, 0, 0, 0);

    public SettledCounts plus(LineOutcome outcome) {
        return switch (outcome) {
            case SUCCEEDED -> new SettledCounts(succeeded + 1, errored, expired, cancelled);
            case ERRORED -> new SettledCounts(succeeded, errored + 1, expired, cancelled);
            case EXPIRED -> new SettledCounts(succeeded, errored, expired + 1, cancelled);
            case CANCELLED -> new SettledCounts(succeeded, errored, expired, cancelled + 1);
        };
    }

    public long total() {
        return succeeded + errored + expired + cancelled;
    }
}
