package dev.offpeak.result.store;

import dev.offpeak.schemas.events.TaskStatus;
import java.util.Locale;

/**
 * A task's status ({@code tasks.status}): {@code accepted} until it ends in one of the terminal
 * statuses of the contract ({@link TaskStatus}), with the same database values.
 */
public enum TaskState {
    ACCEPTED,
    SUCCEEDED,
    FAILED,
    EXPIRED,
    CANCELLED;

    /** The value in {@code tasks.status}. */
    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value as a SQL literal. */
    public String sql() {
        return "'" + db() + "'";
    }

    public static TaskState of(TaskStatus terminal) {
        return valueOf(terminal.name());
    }
}
