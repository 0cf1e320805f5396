package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
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

/**
 * Gemini Developer API batches (gemini-batch.md): the JSONL input goes up by the resumable File
 * API (start, then upload+finalize from the spool file); the job is created from the file with our
 * pipeline batch id in {@code displayName}; results come from the responses file, or from the
 * inlined responses of the operation.
 */
public final class GeminiBatchClient implements BatchProviderClient, AutoCloseable {
    private static final String V = "/v1beta";
    private static final int PAGE = 100;

    private final HttpCalls http;

    public GeminiBatchClient(ProviderEndpoint endpoint, InstantSource clock) {
        this.http = new HttpCalls(Provider.GEMINI, endpoint, Map.of("x-goog-api-key", endpoint.apiKey()), clock);
    }

    @Override
    public Provider provider() {
        return Provider.GEMINI;
    }

    /** Creation is not idempotent: after a timeout callers run {@link #findCreated} before creating again. */
    @Override
    public Outcome<ProviderBatch> create(BatchSubmission submission) {
        Outcome<String> fileName;
        try (Spool spool = Spool.jsonl(submission)) {
            fileName = upload(spool, PipelineTag.name(submission.pipelineBatchId()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not spool the lines of " + submission.pipelineBatchId(), e);
        }
        if (!(fileName instanceof Outcome.Ok<String> ok)) {
            return fileName.map(f -> null);
        }
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode batch = body.putObject("batch");
        batch.put("displayName", PipelineTag.name(submission.pipelineBatchId()));
        batch.putObject("inputConfig").put("fileName", ok.value());
        String model = submission.model().startsWith("models/") ? submission.model().substring(7) : submission.model();
        HttpRequest req = http.call(V + "/models/" + OpenAiBatchClient.seg(model) + ":batchGenerateContent")
                .header("Content-Type", "application/json").POST(HttpCalls.json(body)).build();
        return http.json("create_batch", req).map(GeminiFormat::batch);
    }

    private Outcome<String> upload(Spool spool, String displayName) throws FileNotFoundException {
        ObjectNode meta = Json.mapper().createObjectNode();
        meta.putObject("file").put("display_name", displayName);
        HttpRequest start = http.call("/upload" + V + "/files")
                .header("X-Goog-Upload-Protocol", "resumable")
                .header("X-Goog-Upload-Command", "start")
                .header("X-Goog-Upload-Header-Content-Length", String.valueOf(spool.size()))
                .header("X-Goog-Upload-Header-Content-Type", "application/jsonl")
                .header("Content-Type", "application/json")
                .POST(HttpCalls.json(meta)).build();
        Outcome<HttpCalls.Answer> started = http.send("upload_file", start);
        if (!(started instanceof Outcome.Ok<HttpCalls.Answer> s)) {
            return started.map(a -> null);
        }
        Optional<String> url = s.value().headers().firstValue("x-goog-upload-url");
        if (url.isEmpty()) {
            return new Outcome.Failed<>("gemini upload_file: no x-goog-upload-url in the answer to start", 200);
        }
        HttpRequest finish = http.transfer(URI.create(url.get()))
                .header("X-Goog-Upload-Command", "upload, finalize")
                .header("X-Goog-Upload-Offset", "0")
                .POST(BodyPublishers.ofFile(spool.path())).build();
        return http.json("upload_file", finish).map(f -> f.path("file").path("name").asText());
    }

    @Override
    public Outcome<ProviderBatch> get(String providerBatchId) {
        return http.json("get_batch", http.call(V + "/batches/" + bare(providerBatchId)).GET().build())
                .map(GeminiFormat::batch);
    }

    /**
     * Pages through {@code GET /batches} matching {@code displayName}. The list order is not
     * documented, so it reads every page rather than stopping at old ones; {@code notBefore} and
     * {@code requestCount} are not needed for an exact match.
     */
    @Override
    public Outcome<Optional<ProviderBatch>> findCreated(String pipelineBatchId, Instant notBefore, long requestCount) {
        String token = null;
        do {
            String path = V + "/batches?pageSize=" + PAGE
                    + (token == null ? "" : "&pageToken=" + OpenAiBatchClient.seg(token));
            Outcome<JsonNode> page = http.json("list_batches", http.call(path).GET().build());
            if (!(page instanceof Outcome.Ok<JsonNode> ok)) {
                return page.map(p -> Optional.empty());
            }
            for (JsonNode op : ok.value().path("operations")) {
                ProviderBatch batch = GeminiFormat.batch(op);
                if (pipelineBatchId.equals(batch.pipelineBatchId())) {
                    return Outcome.ok(Optional.of(batch));
                }
            }
            token = ok.value().path("nextPageToken").asText("");
        } while (!token.isEmpty());
        return Outcome.ok(Optional.empty());
    }

    /** Cancel answers {@code {}}; the batch is then read back so the caller sees its state. */
    @Override
    public Outcome<ProviderBatch> cancel(String providerBatchId) {
        HttpRequest req = http.call(V + "/batches/" + bare(providerBatchId) + ":cancel")
                .header("Content-Type", "application/json").POST(BodyPublishers.ofString("{}")).build();
        Outcome<JsonNode> cancelled = http.json("cancel_batch", req);
        return cancelled.isOk() ? get(providerBatchId) : cancelled.map(c -> null);
    }

    @Override
    public Outcome<Void> streamResults(ProviderBatch batch, ResultSink sink) {
        if (!batch.state().terminal()) {
            return new Outcome.Failed<>("gemini results: batch " + batch.id() + " is " + batch.providerStatus()
                    + ", not terminal", 0);
        }
        if (batch.outputFileId() != null) {
            URI url = http.endpoint().resolve("/download" + V + "/files/" + bare(batch.outputFileId())
                    + ":download?alt=media");
            return http.lines("file_content", http.transfer(url).GET().build(),
                    line -> sink.accept(GeminiFormat.fileLine(line)));
        }
        // inline output (< 20 MB by the provider's limit) or none at all (expired, failed)
        Outcome<JsonNode> op = http.json("get_batch", http.transfer(
                http.endpoint().resolve(V + "/batches/" + bare(batch.id()))).GET().build());
        if (!(op instanceof Outcome.Ok<JsonNode> ok)) {
            return op.map(o -> null);
        }
        try {
            for (JsonNode entry : GeminiFormat.output(ok.value()).path("inlinedResponses").path("inlinedResponses")) {
                sink.accept(GeminiFormat.inlineLine(entry));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException e) {
            return new Outcome.Failed<>("gemini results: " + e.getMessage(), 200);
        }
        return Outcome.ok(null);
    }

    /** {@code batches/abc} or {@code files/abc} → {@code abc}, URL-safe. */
    private static String bare(String name) {
        int slash = name.lastIndexOf('/');
        return OpenAiBatchClient.seg(slash >= 0 ? name.substring(slash + 1) : name);
    }

    @Override
    public void close() {
        http.close();
    }
}
