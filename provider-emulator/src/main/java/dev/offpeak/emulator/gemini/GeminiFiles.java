package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Paging;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.StoredFile;
import dev.offpeak.emulator.Urls;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Gemini Files API as a batch client uses it: the two-step resumable upload
 * ({@code X-Goog-Upload-Command: start}, then {@code upload[, finalize]} chunks to the returned
 * {@code x-goog-upload-url}), get, list, delete and {@code :download?alt=media}. Chunks are appended
 * to a spool file on disk.
 */
public final class GeminiFiles {
    private static final long MAX_FILE = 2L * 1024 * 1024 * 1024;

    private record Session(String displayName, String mimeType, Path spool) {
    }

    private final Emulation emu;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public GeminiFiles(Emulation emu) {
        this.emu = emu;
    }

    void upload(Context ctx) throws IOException {
        String command = String.valueOf(ctx.header("X-Goog-Upload-Command")).toLowerCase(java.util.Locale.ROOT);
        String uploadId = ctx.queryParam("upload_id");
        if (uploadId == null) {
            if (!command.contains("start")) {
                throw new ApiException(400, "Only the resumable upload protocol is emulated "
                        + "(X-Goog-Upload-Protocol: resumable, X-Goog-Upload-Command: start).");
            }
            start(ctx);
            return;
        }
        Session s = sessions.get(uploadId);
        if (s == null) {
            throw new ApiException(404, "Upload session " + uploadId + " not found.");
        }
        try (InputStream in = ctx.bodyInputStream();
             OutputStream out = Files.newOutputStream(s.spool(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            in.transferTo(out);
        }
        if (Files.size(s.spool()) > MAX_FILE) {
            sessions.remove(uploadId);
            Files.deleteIfExists(s.spool());
            throw new ApiException(400, "File exceeds the 2 GB limit.");
        }
        if (!command.contains("finalize")) {
            ctx.header("X-Goog-Upload-Status", "active");
            ctx.result("");
            return;
        }
        sessions.remove(uploadId);
        StoredFile f = emu.files().adopt(Provider.GEMINI, "files/" + emu.ids().geminiFile(), s.displayName(),
                "UPLOADED", s.mimeType(), s.spool(), emu.now());
        ctx.header("X-Goog-Upload-Status", "final");
        Json.send(ctx, GeminiJson.wrapFile(f, Urls.origin(ctx, emu)));
    }

    private void start(Context ctx) {
        JsonNode body = ctx.contentLength() > 0 ? Json.parseObject(ctx.bodyInputStream()) : Json.object();
        JsonNode file = body.path("file");
        String display = GeminiAnswers.field(file, "displayName", "display_name").asText("");
        String mime = ctx.header("X-Goog-Upload-Header-Content-Type");
        if (mime == null) {
            mime = GeminiAnswers.field(file, "mimeType", "mime_type").asText("application/jsonl");
        }
        String uploadId = emu.ids().geminiFile() + emu.ids().geminiFile();
        sessions.put(uploadId, new Session(display, mime, emu.files().newSpoolPath("gemini-upload-" + uploadId)));
        String version = ctx.path().contains("/upload/v1/") ? "v1" : "v1beta";
        ctx.header("X-Goog-Upload-URL", Urls.origin(ctx, emu) + "/gemini/upload/" + version + "/files?upload_id="
                + uploadId + "&upload_protocol=resumable");
        ctx.header("X-Goog-Upload-Status", "active");
        ctx.header("X-Goog-Upload-Chunk-Granularity", "8388608");
        ctx.result("");
    }

    StoredFile find(String id) {
        StoredFile f = emu.files().get(Provider.GEMINI, "files/" + id);
        if (f == null) {
            throw new ApiException(404, "File files/" + id + " not found.");
        }
        return f;
    }

    void get(Context ctx, String id) {
        Json.send(ctx, GeminiJson.file(find(id), Urls.origin(ctx, emu)));
    }

    void list(Context ctx) {
        int size = Paging.limit(ctx.queryParam("pageSize"), 10, 100, "pageSize");
        var page = Paging.after(emu.files().list(Provider.GEMINI).reversed(), StoredFile::id,
                GeminiRoutes.decodeToken(ctx.queryParam("pageToken")), size);
        ObjectNode o = Json.object();
        if (!page.items().isEmpty()) {
            ArrayNode files = o.putArray("files");
            page.items().forEach(f -> files.add(GeminiJson.file(f, Urls.origin(ctx, emu))));
            if (page.hasMore()) {
                o.put("nextPageToken", GeminiRoutes.encodeToken(page.items().getLast().id()));
            }
        }
        Json.send(ctx, o);
    }

    void delete(Context ctx, String id) throws IOException {
        emu.files().delete(Provider.GEMINI, find(id).id());
        Json.send(ctx, Json.object());
    }

    void download(Context ctx, String id) throws IOException {
        StoredFile f = find(id);
        ctx.contentType(f.mimeType());
        ctx.header("Content-Length", String.valueOf(f.bytes()));
        ctx.result(Files.newInputStream(f.path()));
    }
}
