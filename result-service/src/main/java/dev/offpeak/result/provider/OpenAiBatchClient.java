package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * OpenAI Files + Batches (openai-batch.md): upload the JSONL file (multipart, streamed from a spool
 * file), create the batch with our pipeline batch id in {@code metadata}, poll, list, cancel, and
 * stream the output file then the error file.
 */
public final class OpenAiBatchClient implements BatchProviderClient, AutoCloseable {
    /**
     * findCreated stops paging at batches created this long before {@code notBefore}: the list is
     * newest first, and the margin absorbs clock skew between us and the provider.
     */
    static final Duration LIST_SKEW = Duration.ofHours(1);
    private static final int PAGE = 100;

    private final HttpCalls http;

    public OpenAiBatchClient(ProviderEndpoint endpoint, InstantSource clock) {
        this.http = new HttpCalls(Provider.OPENAI, endpoint,
                Map.of("Authorization", "Bearer " + endpoint.apiKey()), clock);
    }

    @Override
    public Provider provider() {
        return Provider.OPENAI;
    }

    /**
     * Uploads the file then creates the batch. A RetryLater after the upload leaves the uploaded
     * file behind (it expires with the provider's file retention); a timeout of the create call
     * may have created the batch, so callers run {@link #findCreated} before creating again.
     */
    @Override
    public Outcome<ProviderBatch> create(BatchSubmission submission) {
        Outcome<String> fileId;
        try (Spool spool = Spool.jsonl(submission)) {
            fileId = upload(spool, PipelineTag.fileName(submission.pipelineBatchId()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not spool the lines of " + submission.pipelineBatchId(), e);
        }
        if (!(fileId instanceof Outcome.Ok<String> ok)) {
            return fileId.map(id -> null);
        }
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("input_file_id", ok.value());
        body.put("endpoint", submission.endpoint());
        body.put("completion_window", "24h");
        body.putObject("metadata").put(PipelineTag.METADATA_KEY, submission.pipelineBatchId());
        HttpRequest req = http.call("/batches").header("Content-Type", "application/json")
                .POST(HttpCalls.json(body)).build();
        return http.json("create_batch", req).map(OpenAiFormat::batch);
    }

    private Outcome<String> upload(Spool spool, String fileName) throws FileNotFoundException {
        String boundary = "offpeak-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/jsonl\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest req = http.transfer(http.endpoint().resolve("/files"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(BodyPublishers.concat(BodyPublishers.ofString(head), BodyPublishers.ofFile(spool.path()),
                        BodyPublishers.ofString(tail)))
                .build();
        return http.json("upload_file", req).map(f -> f.path("id").asText());
    }

    @Override
    public Outcome<ProviderBatch> get(String providerBatchId) {
        return http.json("get_batch", http.call("/batches/" + seg(providerBatchId)).GET().build())
                .map(OpenAiFormat::batch);
    }

    /** Pages newest first through {@code GET /batches}, matching {@code metadata.offpeak_batch_id}. */
    @Override
    public Outcome<Optional<ProviderBatch>> findCreated(String pipelineBatchId, Instant notBefore, long requestCount) {
        Instant stopBefore = notBefore.minus(LIST_SKEW);
        String after = null;
        while (true) {
            String path = "/batches?limit=" + PAGE + (after == null ? "" : "&after=" + seg(after));
            Outcome<JsonNode> page = http.json("list_batches", http.call(path).GET().build());
            if (!(page instanceof Outcome.Ok<JsonNode> ok)) {
                return page.map(p -> Optional.empty());
            }
            JsonNode data = ok.value().path("data");
            if (data.isEmpty()) {
                return Outcome.ok(Optional.empty());
            }
            boolean older = false;
            for (JsonNode b : data) {
                ProviderBatch batch = OpenAiFormat.batch(b);
                if (pipelineBatchId.equals(batch.pipelineBatchId())) {
                    return Outcome.ok(Optional.of(batch));
                }
                older |= batch.createdAt() != null && batch.createdAt().isBefore(stopBefore);
                after = batch.id();
            }
            if (older || !ok.value().path("has_more").asBoolean(false) || after == null) {
                return Outcome.ok(Optional.empty());
            }
        }
    }

    /** A batch already terminal answers 409, classified Failed (nothing left to cancel). */
    @Override
    public Outcome<ProviderBatch> cancel(String providerBatchId) {
        HttpRequest req = http.call("/batches/" + seg(providerBatchId) + "/cancel")
                .POST(BodyPublishers.noBody()).build();
        return http.json("cancel_batch", req).map(OpenAiFormat::batch);
    }

    /** The output file, then the error file; either may be absent (all failed, nothing failed, failed batch). */
    @Override
    public Outcome<Void> streamResults(ProviderBatch batch, ResultSink sink) {
        if (!batch.state().terminal()) {
            return new Outcome.Failed<>("openai results: batch " + batch.id() + " is " + batch.providerStatus()
                    + ", not terminal", 0);
        }
        for (String fileId : new String[] {batch.outputFileId(), batch.errorFileId()}) {
            if (fileId == null) {
                continue;
            }
            HttpRequest req = http.transfer(http.endpoint().resolve("/files/" + seg(fileId) + "/content"))
                    .GET().build();
            Outcome<Void> r = http.lines("file_content", req, line -> sink.accept(OpenAiFormat.line(line)));
            if (!r.isOk()) {
                return r;
            }
        }
        return Outcome.ok(null);
    }

    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.close();
    }
}
