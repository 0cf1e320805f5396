package dev.offpeak.ingest.kafka;

import dev.offpeak.ingest.Rejection;

/** A send the broker did not acknowledge, already classified into what the caller is told. */
public final class SendFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Rejection rejection;

    public SendFailedException(Rejection rejection) {
        super(rejection.message(), null, false, false);
        this.rejection = rejection;
    }

    public Rejection rejection() {
        return rejection;
    }
}
