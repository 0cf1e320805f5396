package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Usage;

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

    public enum LineOutcome {
        SUCCEEDED,
        ERRORED,
        EXPIRED,
        CANCELLED
    }
}
