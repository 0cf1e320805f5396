package dev.offpeak.result.provider;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * The result of one call to a provider, classified once where the response is read: the value,
 * a retryable failure with the delay the provider asked for (or the policy's backoff), or a
 * permanent failure. Callers switch over it; nothing above the client inspects HTTP codes.
 */
public sealed interface Outcome<T> {

    record Ok<T>(T value) implements Outcome<T> {}

    /** 429, 5xx, timeouts, connection errors: try again after {@code after} (null: use the retry policy). */
    record RetryLater<T>(Duration after, String reason, int httpStatus) implements Outcome<T> {
        public RetryLater {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** 400, 401, 403, 404 and other answers that will not change on retry. */
    record Failed<T>(String reason, int httpStatus) implements Outcome<T> {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    static <T> Outcome<T> ok(T value) {
        return new Ok<>(value);
    }

    default boolean isOk() {
        return this instanceof Ok<T>;
    }

    /** The value of an {@link Ok}; otherwise an {@link IllegalStateException} with the reason. */
    default T orElseThrow() {
        return switch (this) {
            case Ok<T> ok -> ok.value();
            case RetryLater<T> r -> throw new IllegalStateException("retry later: " + r.reason());
            case Failed<T> f -> throw new IllegalStateException("failed: " + f.reason());
        };
    }

    /** Maps the value of an {@link Ok}; passes failures through unchanged. */
    default <R> Outcome<R> map(Function<T, R> f) {
        return switch (this) {
            case Ok<T> ok -> new Ok<>(f.apply(ok.value()));
            case RetryLater<T> r -> new RetryLater<>(r.after(), r.reason(), r.httpStatus());
            case Failed<T> fl -> new Failed<>(fl.reason(), fl.httpStatus());
        };
    }
}
