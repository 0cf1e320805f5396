package dev.offpeak.result.provider;

import java.util.Optional;

/**
 * How a provider batch carries our pipeline batch id, so an answer lost in a crash can be found
 * again by listing: OpenAI batch {@code metadata} (and the uploaded file's name), Gemini
 * {@code displayName} (and the uploaded file's display name). Anthropic batches carry nothing.
 */
final class PipelineTag {
    /** OpenAI metadata key; the value is the pipeline batch id (OpenAI allows up to 512 chars). */
    static final String METADATA_KEY = "offpeak_batch_id";
    private static final String PREFIX = "offpeak-";

    private PipelineTag() {}

    /** {@code offpeak-<id>}: Gemini display name. */
    static String name(String pipelineBatchId) {
        return PREFIX + pipelineBatchId;
    }

    /** {@code offpeak-<id>.jsonl}: uploaded file name. */
    static String fileName(String pipelineBatchId) {
        return PREFIX + pipelineBatchId + ".jsonl";
    }

    /** The pipeline batch id in a display name we wrote, or empty for anybody else's batch. */
    static Optional<String> fromName(String displayName) {
        return displayName != null && displayName.startsWith(PREFIX) && displayName.length() > PREFIX.length()
                ? Optional.of(displayName.substring(PREFIX.length()))
                : Optional.empty();
    }
}
