package dev.offpeak.ingest;

import java.util.Locale;

/**
 * Why a request or a line was not accepted. The wire name is {@link #id()}; the HTTP status of each
 * code is decided in one place, {@code http.HttpErrors}.
 */
public enum ErrorCode {
    UNAUTHORIZED,
    FORBIDDEN,
    MALFORMED_JSON,
    INVALID_TASK,
    TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    EMPTY_BODY,
    ALL_LINES_REJECTED,
    UNREADABLE_BODY,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    KAFKA_UNAVAILABLE,
    INTERNAL;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
