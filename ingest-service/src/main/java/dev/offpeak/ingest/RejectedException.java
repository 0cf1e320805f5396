package dev.offpeak.ingest;

/** A request-level {@link Rejection}, thrown to the one place that maps rejections to HTTP answers. */
public final class RejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Rejection rejection;

    public RejectedException(Rejection rejection) {
        super(rejection.code().id() + ": " + rejection.message(), null, false, false);
        this.rejection = rejection;
    }

    public Rejection rejection() {
        return rejection;
    }
}
