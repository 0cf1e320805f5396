package dev.offpeak.emulator;

/**
 * A provider-level HTTP error raised by a route. {@code kind} is provider-neutral; each provider's
 * {@link ErrorRenderer} turns it into that provider's body (OpenAI {@code error.type},
 * Anthropic {@code error.type}, Gemini {@code error.status}).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String param;
    private final String code;

    public ApiException(int status, String message) {
        this(status, message, null, null);
    }

    public ApiException(int status, String message, String param, String code) {
        super(message, null, false, false);
        this.status = status;
        this.param = param;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
