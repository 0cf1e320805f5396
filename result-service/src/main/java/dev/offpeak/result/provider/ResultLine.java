package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.TaskStatus;
import dev.offpeak.schemas.events.Usage;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One settled line of a provider result file, normalised.
 *
 * @param requestId  custom_id / key of the line (our request_id)
 * @param outcome    what happened to it
 * @param httpStatus the per-request status code where the provider gives one (OpenAI), else 200 for
 *                   success and null otherwise
 * @param response   the provider response body (OpenAI response.body, Anthropic result.message,
 *                   Gemini response); null unless succeeded
 * @param errorCode  provider error code/type; null when succeeded
 * @param errorMessage provider error message; null when succeeded
 * @param retryable  whether resending the same request may succeed (rate limit, server error,
 *                   expiry, cancellation), as opposed to an invalid request
 * @param usage      normalised usage; {@link Usage#ZERO} when the provider billed nothing
 */
public record ResultLine(
        String requestId,
        LineOutcome outcome,
        Integer httpStatus,
        ObjectNode response,
        String errorCode,
        String errorMessage,
        boolean retryable,
        Usage usage) {

    /**
     * What happened to a line, as stored in {@code results.status} (the lower-case name), and the
     * terminal status of the tasks it ends: the same, except that an errored line fails its tasks.
     */
    public enum LineOutcome {
        SUCCEEDED(TaskStatus.SUCCEEDED),
        ERRORED(TaskStatus.FAILED),
        EXPIRED(TaskStatus.EXPIRED),
        CANCELLED(TaskStatus.CANCELLED);

        private final TaskStatus taskStatus;

        LineOutcome(TaskStatus taskStatus) {
            this.taskStatus = taskStatus;
        }

        /** The value in {@code results.status}. */
        public String db() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The terminal status of the tasks this line ends. */
        public TaskStatus taskStatus() {
            return taskStatus;
        }

        /** {@link #taskStatus} in SQL: a CASE over {@code column}, a {@code results.status}. */
        public static String taskStatusSql(String column) {
            return Arrays.stream(values())
                    .map(o -> "WHEN '" + o.db() + "' THEN '" + o.taskStatus.id() + "'")
                    .collect(Collectors.joining(" ", "CASE " + column + " ", " END"));
        }
    }
}
