package dev.offpeak.client;

import dev.offpeak.schemas.validation.Problem;
import java.util.List;

/** The task would be rejected downstream; nothing was sent. Lists every problem, each naming its field. */
public final class InvalidTaskException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public InvalidTaskException(String taskId, List<Problem> problems) {
        super("task " + taskId + " is invalid: " + problems);
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
