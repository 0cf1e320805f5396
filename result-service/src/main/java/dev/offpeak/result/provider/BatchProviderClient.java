package dev.offpeak.result.provider;

import dev.offpeak.schemas.events.Provider;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The batch endpoints of one provider. Implementations classify every failure once into an
 * {@link Outcome}; they never log, store or put into a message the API key.
 */
public interface BatchProviderClient {

    Provider provider();

    /** Uploads the lines where the provider needs a file, then creates the batch. */
    Outcome<ProviderBatch> create(BatchSubmission submission);

    Outcome<ProviderBatch> get(String providerBatchId);

    /**
     * Finds a batch created for {@code pipelineBatchId} by an earlier attempt whose answer was lost
     * (crash between the provider's answer and our commit): pages through the provider's list and
     * matches metadata / display name, or for Anthropic the creation time after
     * {@code notBefore} and the request count.
     */
    Outcome<Optional<ProviderBatch>> findCreated(String pipelineBatchId, Instant notBefore, long requestCount);

    /**
     * As {@link #findCreated(String, Instant, long)}, never answering with a batch in {@code taken}:
     * the provider batches already recorded for other pipeline batches. Matching by metadata or display
     * name never meets one; the Anthropic match by time and count can, and looks further instead.
     */
    default Outcome<Optional<ProviderBatch>> findCreated(String pipelineBatchId, Instant notBefore, long requestCount,
            Set<String> taken) {
        return findCreated(pipelineBatchId, notBefore, requestCount).map(found -> found.filter(b -> !taken.contains(b.id())));
    }

    Outcome<ProviderBatch> cancel(String providerBatchId);

    /**
     * Streams every result line of a terminal batch (OpenAI: output file then error file, either
     * may be absent; Anthropic: results; Gemini: responses file or inlined responses) to the sink,
     * one at a time.
     */
    Outcome<Void> streamResults(ProviderBatch batch, ResultSink sink);

    @FunctionalInterface
    interface ResultSink {
        void accept(ResultLine line) throws IOException;
    }
}
