package dev.offpeak.result.http;

import dev.offpeak.schemas.validation.Problem;
import java.util.List;
import java.util.stream.Collectors;

/** A 4xx/5xx answer of the read API, in the error format every Offpeak HTTP API uses. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient List<Problem> problems;

    ApiError(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    private ApiError(int status, String code, String message, List<Problem> problems) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.problems = List.copyOf(problems);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    /** Each thing wrong with a request body, by field; empty for other errors. */
    List<Problem> problems() {
        return problems;
    }

    static ApiError unauthorized(String message) {
        return new ApiError(401, "unauthorized", message);
    }

    static ApiError forbidden(String message) {
        return new ApiError(403, "forbidden", message);
    }

    /** A query parameter with a value the endpoint does not take; the message names both. */
    static ApiError invalidParameter(String message) {
        return new ApiError(400, "invalid_parameter", message);
    }

    /** A request body with {@code problems} (at least one), all named in the message too. */
    static ApiError invalidBody(List<Problem> problems) {
        return new ApiError(400, "invalid_body", problems.stream().map(Problem::toString)
                .collect(Collectors.joining("; ")), problems);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }

    static ApiError conflict(String message) {
        return new ApiError(409, "conflict", message);
    }
}
