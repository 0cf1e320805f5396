package dev.offpeak.result.provider;

/**
 * A provider batch's state, normalised: OpenAI statuses, Anthropic processing_status and Gemini
 * BATCH_STATE_* all map onto these. Every terminal state is settled.
 */
public enum BatchState {
    VALIDATING(false),
    IN_PROGRESS(false),
    FINALIZING(false),
    CANCELLING(false),
    COMPLETED(true),
    FAILED(true),
    EXPIRED(true),
    CANCELLED(true),
    /** Anthropic's "ended": results say per line what happened */
    ENDED(true);

    private final boolean terminal;

    BatchState(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean terminal() {
        return terminal;
    }
}
