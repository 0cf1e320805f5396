package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Anthropic Message Batches (anthropic-message-batches.md): the whole batch is one JSON body
 * {@code {"requests":[...]}}, spooled to disk and sent from the file. Batches carry no metadata,
 * so {@link #findCreated} matches by creation time and request count.
 */
public final class AnthropicBatchClient implements BatchProviderClient, AutoCloseable {
    static final String API_VERSION = "2023-06-01";
    private static final String BATCHES = "/v1/messages/batches";
    private static final int PAGE = 100;

    private final HttpCalls http;

    public AnthropicBatchClient(ProviderEndpoint endpoint, InstantSource clock) {
        this.http = new HttpCalls(Provider.ANTHROPIC, endpoint,
                Map.of("x-api-key", endpoint.apiKey(), "anthropic-version", API_VERSION), clock);
    }

    @Override
    public Provider provider() {
        return Provider.ANTHROPIC;
    }

    /** A timeout may still have created the batch: callers run {@link #findCreated} before creating again. */
    @Override
    public Outcome<ProviderBatch> create(BatchSubmission submission) {
        try (Spool spool = Spool.anthropicRequests(submission)) {
            return send(spool);
        } catch (IOException e) {
            throw new UncheckedIOException("could not spool the lines of " + submission.pipelineBatchId(), e);
        }
    }

    private Outcome<ProviderBatch> send(Spool spool) throws FileNotFoundException {
        HttpRequest req = http.transfer(http.endpoint().resolve(BATCHES))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofFile(spool.path())).build();
        return http.json("create_batch", req).map(AnthropicFormat::batch);
    }

    @Override
    public Outcome<ProviderBatch> get(String providerBatchId) {
        return http.json("get_batch", http.call(BATCHES + "/" + OpenAiBatchClient.seg(providerBatchId)).GET().build())
                .map(AnthropicFormat::batch);
    }

    /**
     * Pages newest first and returns the oldest batch created at or after {@code notBefore} whose
     * request counts sum to {@code requestCount} — the one the lost attempt most likely made.
     * A heuristic: two same-sized batches created in the same window cannot be told apart until
     * their results show the custom_ids. {@code notBefore} should already include any clock skew.
     * The returned batch carries {@code pipelineBatchId} as matched.
     */
    @Override
    public Outcome<Optional<ProviderBatch>> findCreated(String pipelineBatchId, Instant notBefore, long requestCount) {
        return findCreated(pipelineBatchId, notBefore, requestCount, Set.of());
    }

    /**
     * As above, passing over the batches in {@code taken}: under load many same-sized batches are
     * created in one window, and one already recorded for another pipeline batch is not this one's.
     */
    @Override
    public Outcome<Optional<ProviderBatch>> findCreated(String pipelineBatchId, Instant notBefore, long requestCount,
            Set<String> taken) {
        ProviderBatch best = null;
        String after = null;
        while (true) {
            String path = BATCHES + "?limit=" + PAGE
                    + (after == null ? "" : "&after_id=" + OpenAiBatchClient.seg(after));
            Outcome<JsonNode> page = http.json("list_batches", http.call(path).GET().build());
            if (!(page instanceof Outcome.Ok<JsonNode> ok)) {
                return page.map(p -> Optional.empty());
            }
            boolean older = false;
            for (JsonNode b : ok.value().path("data")) {
                ProviderBatch batch = AnthropicFormat.batch(b);
                if (batch.createdAt() == null || batch.createdAt().isBefore(notBefore)) {
                    older = true;
                } else if (batch.requestTotal() == requestCount && !taken.contains(batch.id())) {
                    best = batch;
                }
            }
            after = ok.value().path("last_id").asText(null);
            if (older || !ok.value().path("has_more").asBoolean(false) || after == null) {
                return Outcome.ok(Optional.ofNullable(best).map(b -> tagged(b, pipelineBatchId)));
            }
        }
    }

    private static ProviderBatch tagged(ProviderBatch b, String pipelineBatchId) {
        return new ProviderBatch(b.id(), b.state(), b.providerStatus(), pipelineBatchId, b.createdAt(),
                b.requestTotal(), b.outputFileId(), b.errorFileId(), b.resultsUrl(), b.errors(), b.raw());
    }

    @Override
    public Outcome<ProviderBatch> cancel(String providerBatchId) {
        HttpRequest req = http.call(BATCHES + "/" + OpenAiBatchClient.seg(providerBatchId) + "/cancel")
                .POST(BodyPublishers.noBody()).build();
        return http.json("cancel_batch", req).map(AnthropicFormat::batch);
    }

    /**
     * Streams {@code results_url}. It is used as given when it points at the configured origin;
     * otherwise the results path is built from the base URL, so the key never leaves that origin.
     */
    @Override
    public Outcome<Void> streamResults(ProviderBatch batch, ResultSink sink) {
        if (batch.state() != BatchState.ENDED) {
            return new Outcome.Failed<>("anthropic results: batch " + batch.id() + " is " + batch.providerStatus()
                    + ", not ended", 0);
        }
        URI given = batch.resultsUrl() == null ? null : URI.create(batch.resultsUrl());
        URI url = http.endpoint().sameOrigin(given) ? given
                : http.endpoint().resolve(BATCHES + "/" + OpenAiBatchClient.seg(batch.id()) + "/results");
        HttpRequest req = http.transfer(url).header("Accept", "application/binary").GET().build();
        return http.lines("results", req, line -> sink.accept(AnthropicFormat.line(line)));
    }

    @Override
    public void close() {
        http.close();
    }
}
