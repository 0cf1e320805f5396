package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Batch;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.ErrorBodies;
import dev.offpeak.emulator.FileStore;
import dev.offpeak.emulator.Gate;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Operations;
import dev.offpeak.emulator.Paging;
import dev.offpeak.emulator.Phase;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.Results;
import dev.offpeak.emulator.Snapshot;
import dev.offpeak.emulator.StoredFile;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;

import java.io.InputStream;
import java.nio.file.Files;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** OpenAI Files + Batches under {@code /openai/v1} (openai-batch.md §2-§7), and the synchronous endpoints ({@link OpenAiSync}). */
public final class OpenAiRoutes {
    public static final String BASE = "/openai/v1";
    private static final Set<String> ENDPOINTS = Set.of("/v1/responses", "/v1/chat/completions", "/v1/embeddings",
            "/v1/completions", "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos");
    private static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");
    private static final long MAX_UPLOAD = 512L * 1024 * 1024;

    private final Emulation emu;
    private final Gate gate;
    private final OpenAiResultWriter writer;
    private final OpenAiSync sync;

    public OpenAiRoutes(Emulation emu) {
        this.emu = emu;
        this.gate = new Gate(Provider.OPENAI, emu);
        this.writer = new OpenAiResultWriter(emu);
        this.sync = new OpenAiSync(emu);
    }

    public void register(RoutesConfig r) {
        r.post(BASE + "/files", gate.wrap(Operations.UPLOAD_FILE, this::uploadFile));
        r.get(BASE + "/files", gate.wrap(Operations.LIST_FILES, this::listFiles));
        r.get(BASE + "/files/{id}", gate.wrap(Operations.GET_FILE, ctx -> Json.send(ctx, OpenAiJson.file(file(ctx)))));
        r.get(BASE + "/files/{id}/content", gate.wrap(Operations.FILE_CONTENT, this::fileContent));
        r.delete(BASE + "/files/{id}", gate.wrap(Operations.DELETE_FILE, this::deleteFile));
        r.post(BASE + "/batches", gate.wrap(Operations.CREATE_BATCH, this::createBatch));
        r.get(BASE + "/batches", gate.wrap(Operations.LIST_BATCHES, this::listBatches));
        r.get(BASE + "/batches/{id}", gate.wrap(Operations.GET_BATCH, ctx -> Json.send(ctx, render(batch(ctx)))));
        r.post(BASE + "/batches/{id}/cancel", gate.wrap(Operations.CANCEL_BATCH, this::cancel));
        // the synchronous endpoints (see OpenAiSync)
        r.post(BASE + "/chat/completions", gate.wrap(Operations.CHAT_COMPLETIONS,
                ctx -> sync.handle(ctx, "/v1/chat/completions", Operations.CHAT_COMPLETIONS)));
        r.post(BASE + "/responses", gate.wrap(Operations.RESPONSES,
                ctx -> sync.handle(ctx, "/v1/responses", Operations.RESPONSES)));
        r.post(BASE + "/embeddings", gate.wrap(Operations.EMBEDDINGS,
                ctx -> sync.handle(ctx, "/v1/embeddings", Operations.EMBEDDINGS)));
        ErrorBodies.notFoundUnder(r, "/openai", Provider.OPENAI, emu);
    }

    private void uploadFile(Context ctx) throws Exception {
        if (!ctx.isMultipartFormData()) {
            throw new ApiException(400, "Expected a multipart/form-data body with 'file' and 'purpose'.");
        }
        UploadedFile part = ctx.uploadedFile("file");
        String purpose = ctx.formParam("purpose");
        if (part == null) {
            throw new ApiException(400, "Missing required parameter: 'file'.", "file", "missing_required_parameter");
        }
        if (purpose == null || !PURPOSES.contains(purpose)) {
            throw new ApiException(400, "Invalid value for 'purpose': '" + purpose + "'. Supported values are: "
                    + PURPOSES + ".", "purpose", "invalid_value");
        }
        StoredFile f;
        try (InputStream in = part.content()) {
            f = emu.files().store(Provider.OPENAI, emu.ids().openAiFile(), part.filename(), purpose,
                    "application/jsonl", in, MAX_UPLOAD, emu.now());
        } catch (FileStore.TooLargeException e) {
            throw new ApiException(413, "File is too large; the maximum upload size is 512 MB.");
        }
        Json.send(ctx, OpenAiJson.file(f));
    }

    private void listFiles(Context ctx) {
        String purpose = ctx.queryParam("purpose");
        int limit = Paging.limit(ctx.queryParam("limit"), 10_000, 10_000, "limit");
        List<StoredFile> all = emu.files().list(Provider.OPENAI).stream()
                .filter(f -> purpose == null || purpose.equals(f.purpose())).toList();
        if (!"asc".equals(ctx.queryParam("order"))) {
            all = all.reversed();
        }
        Paging.Page<StoredFile> page = Paging.after(all, StoredFile::id, ctx.queryParam("after"), limit);
        ArrayNode data = Json.array();
        page.items().forEach(f -> data.add(OpenAiJson.file(f)));
        Json.send(ctx, list(data, page.hasMore()));
    }

    private StoredFile file(Context ctx) {
        String id = ctx.pathParam("id");
        StoredFile f = emu.files().get(Provider.OPENAI, id);
        if (f == null) {
            throw new ApiException(404, "No such File object: " + id, "id", null);
        }
        return f;
    }

    private void fileContent(Context ctx) throws Exception {
        StoredFile f = file(ctx);
        ctx.contentType("application/octet-stream");
        ctx.header("Content-Length", String.valueOf(f.bytes()));
        ctx.result(Files.newInputStream(f.path()));
    }

    private void deleteFile(Context ctx) throws Exception {
        StoredFile f = file(ctx);
        emu.files().delete(Provider.OPENAI, f.id());
        Json.send(ctx, Map.of("id", f.id(), "object", "file", "deleted", true));
    }

    private void createBatch(Context ctx) throws Exception {
        ObjectNode body = Json.parseObject(ctx.bodyInputStream());
        String endpoint = body.path("endpoint").asText(null);
        if (endpoint == null || !ENDPOINTS.contains(endpoint)) {
            throw new ApiException(400, "Invalid value for 'endpoint': '" + endpoint + "'. Supported values are: "
                    + ENDPOINTS + ".", "endpoint", "invalid_value");
        }
        if (!"24h".equals(body.path("completion_window").asText(null))) {
            throw new ApiException(400, "Invalid value for 'completion_window': only '24h' is supported.",
                    "completion_window", "invalid_value");
        }
        JsonNode metadata = body.get("metadata");
        checkMetadata(metadata);
        String fileId = body.path("input_file_id").asText(null);
        StoredFile input = fileId == null ? null : emu.files().get(Provider.OPENAI, fileId);
        if (input == null) {
            throw new ApiException(404, "No such File object: " + fileId, "input_file_id", null);
        }
        if (!"batch".equals(input.purpose())) {
            throw new ApiException(400, "Invalid 'input_file_id': file " + fileId + " was not uploaded with purpose "
                    + "'batch'.", "input_file_id", "invalid_value");
        }
        OpenAiInputScan scan = OpenAiInputScan.scan(input.path(), endpoint, emu.tokens(), emu.config().models());
        ArrayNode errors = scan.errors();
        if (errors.isEmpty()) {
            quotaError(scan).ifPresent(errors::add);
        }
        ObjectNode attributes = Json.object();
        attributes.put("endpoint", endpoint);
        attributes.put("input_file_id", fileId);
        attributes.put("cache_scope", Gate.scope(ctx));
        attributes.set("metadata", metadata == null ? Json.MAPPER.nullNode() : metadata);
        boolean valid = errors.isEmpty();
        Batch batch = new Batch(new Batch.Spec(emu.ids().openAiBatch(), Provider.OPENAI, emu.now(), scan.model(),
                valid ? scan.lines() : 0, valid ? scan.promptTokens() : 0, emu.files().pin(input),
                valid ? scan.httpFailures() : new BitSet(), emu.faults().takeBatchFault(Provider.OPENAI),
                valid ? null : new Batch.BatchFailure(errors), attributes));
        emu.engine().add(batch);
        Json.send(ctx, render(batch));
    }

    private Optional<ObjectNode> quotaError(OpenAiInputScan scan) {
        var quota = emu.faults().enqueuedTokenQuota(Provider.OPENAI, scan.model());
        if (quota.isEmpty() || emu.engine().enqueuedTokens(Provider.OPENAI, scan.model()) + scan.promptTokens()
                <= quota.getAsLong()) {
            return Optional.empty();
        }
        return Optional.of(OpenAiInputScan.error("token_limit_exceeded", "Enqueued token limit reached for "
                + scan.model() + " in organization org-emulator. Limit: " + String.format("%,d", quota.getAsLong())
                + " enqueued tokens. Please try again once some in_progress batches have been completed.", null, null));
    }

    private static void checkMetadata(JsonNode metadata) {
        if (metadata == null || metadata.isNull()) {
            return;
        }
        boolean ok = metadata.isObject() && metadata.size() <= 16;
        for (var it = metadata.properties().iterator(); ok && it.hasNext(); ) {
            var e = it.next();
            ok = e.getKey().length() <= 64 && e.getValue().isTextual() && e.getValue().asText().length() <= 512;
        }
        if (!ok) {
            throw new ApiException(400, "Invalid 'metadata': at most 16 string pairs, keys up to 64 and values up "
                    + "to 512 characters.", "metadata", "invalid_value");
        }
    }

    private void listBatches(Context ctx) {
        int limit = Paging.limit(ctx.queryParam("limit"), 20, 100, "limit");
        Paging.Page<Batch> page = Paging.after(emu.engine().list(Provider.OPENAI), Batch::id,
                ctx.queryParam("after"), limit);
        ArrayNode data = Json.array();
        page.items().forEach(b -> data.add(render(b)));
        Json.send(ctx, list(data, page.hasMore()));
    }

    private void cancel(Context ctx) {
        Batch b = batch(ctx);
        Phase phase = emu.engine().snapshot(b).phase();
        if (phase.terminal()) {
            throw new ApiException(409, "Cannot cancel a batch with status '" + OpenAiJson.status(phase) + "'.");
        }
        emu.engine().cancel(b);
        Json.send(ctx, render(b));
    }

    private Batch batch(Context ctx) {
        String id = ctx.pathParam("id");
        Batch b = emu.engine().get(Provider.OPENAI, id);
        if (b == null) {
            throw new ApiException(404, "No batch found with id '" + id + "'.", "batch_id", null);
        }
        return b;
    }

    private ObjectNode render(Batch b) {
        Snapshot s = emu.engine().snapshot(b);
        Results r = emu.engine().results(b, s, writer);
        return OpenAiJson.batch(b, s, r, emu.config().choices().openAiCountUnfinishedAsFailed());
    }

    private static ObjectNode list(ArrayNode data, boolean hasMore) {
        ObjectNode o = Json.object();
        o.put("object", "list");
        o.set("data", data);
        o.set("first_id", data.isEmpty() ? Json.MAPPER.nullNode() : data.get(0).get("id"));
        o.set("last_id", data.isEmpty() ? Json.MAPPER.nullNode() : data.get(data.size() - 1).get("id"));
        o.put("has_more", hasMore);
        return o;
    }
}
