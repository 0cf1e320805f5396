package dev.offpeak.emulator;

/**
 * Provider-neutral batch phase; each route class maps it to its provider's status names
 * (OpenAI status, Anthropic processing_status, Gemini BATCH_STATE_*).
 */
public enum Phase {
    VALIDATING, FAILED, IN_PROGRESS, FINALIZING, COMPLETED, EXPIRED, CANCELLING, CANCELLED;

    public boolean terminal() {
        return this == FAILED || this == COMPLETED || this == EXPIRED || this == CANCELLED;
    }
}
