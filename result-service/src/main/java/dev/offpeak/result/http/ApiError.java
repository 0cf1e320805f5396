package dev.offpeak.result.http;

/** A 4xx/5xx answer of the read API, in the error format every Offpeak HTTP API uses. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static ApiError unauthorized(String message) {
        return new ApiError(401, "unauthorized", message);
    }

    /** A query parameter with a value the endpoint does not take; the message names both. */
    static ApiError invalidParameter(String message) {
        return new ApiError(400, "invalid_parameter", message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }
}
