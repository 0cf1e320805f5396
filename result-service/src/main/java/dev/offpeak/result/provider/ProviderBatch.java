package dev.offpeak.result.provider;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A provider's batch as the provider reports it, normalised across providers.
 *
 * @param id               provider batch id (batch_..., msgbatch_..., batches/...)
 * @param state            normalised state
 * @param providerStatus   the provider's own status string, for operators
 * @param pipelineBatchId  our batch id, read back from metadata / display name when present
 * @param createdAt        provider creation time
 * @param requestTotal     lines the provider counts in the batch (0 when it does not say yet)
 * @param outputFileId     OpenAI output file, Gemini responses file; null when absent
 * @param errorFileId      OpenAI error file; null when absent
 * @param resultsUrl       Anthropic results_url; null until ended
 * @param errors           batch-level errors (OpenAI errors.data[].code, e.g. token_limit_exceeded)
 * @param raw              selected raw fields for diagnostics (never secrets)
 */
public record ProviderBatch(
        String id,
        BatchState state,
        String providerStatus,
        String pipelineBatchId,
        Instant createdAt,
        long requestTotal,
        String outputFileId,
        String errorFileId,
        String resultsUrl,
        List<BatchError> errors,
        Map<String, String> raw) {

    public ProviderBatch {
        errors = errors == null ? List.of() : List.copyOf(errors);
        raw = raw == null ? Map.of() : Map.copyOf(raw);
    }

    /** OpenAI reports an exceeded enqueued-token quota as a failed batch, not as an HTTP error. */
    public boolean tokenLimitExceeded() {
        return state == BatchState.FAILED && errors.stream().anyMatch(e -> "token_limit_exceeded".equals(e.code()));
    }

    public record BatchError(String code, String message, Integer line) {}
}
