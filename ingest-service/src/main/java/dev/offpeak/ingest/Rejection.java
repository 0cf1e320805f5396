package dev.offpeak.ingest;

import dev.offpeak.schemas.validation.Problem;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** Why one task (or a whole request) was not accepted: a code, a sentence, and every problem by field. */
public record Rejection(ErrorCode code, String message, List<Problem> problems) implements IntakeResult {
    public Rejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        problems = List.copyOf(problems);
    }

    public static Rejection of(ErrorCode code, String message) {
        return new Rejection(code, message, List.of());
    }

    public static Rejection of(ErrorCode code, String field, String message) {
        return new Rejection(code, field + ": " + message, List.of(new Problem(field, message)));
    }

    /** The same rejection with every problem's field renamed (OpenAI lines name fields differently). */
    public Rejection renameFields(UnaryOperator<String> rename) {
        return new Rejection(code, message,
                problems.stream().map(p -> new Problem(rename.apply(p.field()), p.message())).toList());
    }

    /** Thrown form, for request-level rejections that end a handler. */
    public RejectedException exception() {
        return new RejectedException(this);
    }
}
