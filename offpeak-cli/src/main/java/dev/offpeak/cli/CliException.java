package dev.offpeak.cli;

/**
 * A failure the user can act on (a missing file, a bad line, a wrong URL): printed as one line
 * without a stack trace, exit code 1. Programming errors stay ordinary exceptions.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
