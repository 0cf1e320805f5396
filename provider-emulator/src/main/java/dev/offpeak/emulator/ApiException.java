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
    private final String type;
    private final java.time.Duration retryAfter;

    public ApiException(int status, String message) {
        this(status, message, null, null);
    }

    public ApiException(int status, String message, String param, String code) {
        this(status, message, param, code, null);
    }

    /**
     * @param type OpenAI only: {@code error.type} when it is not the one the status implies (e.g. the flex
     *             tier's 429 {@code resource_unavailable}); null otherwise
     */
    public ApiException(int status, String message, String param, String code, String type) {
        this(status, message, param, code, type, null);
    }

    /**
     * @param retryAfter how long the caller should wait (a rate limit's 429), sent as the provider's retry hint;
     *                   null: none (an injected fault may still bring its own)
     */
    public ApiException(int status, String message, String param, String code, String type,
                        java.time.Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
        this.status = status;
        this.param = param;
        this.code = code;
        this.type = type;
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

    /** The wait this error asks for, or null. */
    public java.time.Duration retryAfter() {
        return retryAfter;
    }

    /** The OpenAI {@code error.type} to send instead of the status's, or null. */
    public String type() {
        return type;
    }
}
