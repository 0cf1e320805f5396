package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Batch;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.ErrorBodies;
import dev.offpeak.emulator.Gate;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Operations;
import dev.offpeak.emulator.Paging;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.Snapshot;
import dev.offpeak.emulator.StoredFile;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gemini batch API under {@code /gemini}, served for both {@code v1beta} and {@code v1} (the JS SDK
 * defaults to v1), plus the upload and download paths. Google's {@code name:verb} paths
 * ({@code models/x:batchGenerateContent}, {@code batches/x:cancel}) do not fit a router's path
 * segments, so this class matches them itself and hands each to its {@link Gate}-wrapped operation.
 */
public final class GeminiRoutes {
    private static final String V = "(?:v1beta|v1)";
    private static final long MAX_INLINE = 20L * 1024 * 1024;

    private record Route(String method, Pattern pattern, Handler handler) {
    }

    private final Emulation emu;
    private final Gate gate;
    private final GeminiFiles files;
    private final GeminiResultWriter writer;
    private final GeminiCachedContents caches;
    private final GeminiSync sync;
    private final List<Route> routes;

    public GeminiRoutes(Emulation emu) {
        this.emu = emu;
        this.gate = new Gate(Provider.GEMINI, emu);
        this.files = new GeminiFiles(emu);
        this.writer = new GeminiResultWriter(emu);
        this.caches = new GeminiCachedContents(emu);
        this.sync = new GeminiSync(emu);
        this.routes = List.of(
                route("POST", V + "/models/([^/:]+):generateContent", Operations.GENERATE_CONTENT,
                        ctx -> sync.generate(ctx, arg(ctx), version(ctx))),
                route("POST", V + "/cachedContents", Operations.CREATE_CACHED_CONTENT,
                        ctx -> caches.create(ctx, version(ctx))),
                route("GET", V + "/cachedContents", Operations.LIST_CACHED_CONTENTS, caches::list),
                route("GET", V + "/cachedContents/([^/:]+)", Operations.GET_CACHED_CONTENT,
                        ctx -> caches.get(ctx, arg(ctx))),
                route("PATCH", V + "/cachedContents/([^/:]+)", Operations.UPDATE_CACHED_CONTENT,
                        ctx -> caches.update(ctx, arg(ctx))),
                route("DELETE", V + "/cachedContents/([^/:]+)", Operations.DELETE_CACHED_CONTENT,
                        ctx -> caches.delete(ctx, arg(ctx))),
                route("POST", V + "/models/([^/:]+):batchGenerateContent", Operations.CREATE_BATCH, this::create),
                route("GET", V + "/batches", Operations.LIST_BATCHES, this::list),
                route("GET", V + "/batches/([^/:]+)", Operations.GET_BATCH, ctx -> Json.send(ctx, render(batch(ctx)))),
                route("POST", V + "/batches/([^/:]+):cancel", Operations.CANCEL_BATCH, this::cancel),
                route("DELETE", V + "/batches/([^/:]+)", Operations.DELETE_BATCH, this::delete),
                route("POST", "upload/" + V + "/files", Operations.UPLOAD_FILE, files::upload),
                route("GET", V + "/files", Operations.LIST_FILES, files::list),
                route("GET", "(?:download/)?" + V + "/files/([^/:]+):download", Operations.FILE_CONTENT,
                        ctx -> files.download(ctx, arg(ctx))),
                route("GET", V + "/files/([^/:]+)", Operations.GET_FILE, ctx -> files.get(ctx, arg(ctx))),
                route("DELETE", V + "/files/([^/:]+)", Operations.DELETE_FILE, ctx -> files.delete(ctx, arg(ctx))));
    }

    private Route route(String method, String regex, String operation, Handler h) {
        return new Route(method, Pattern.compile(regex), gate.wrap(operation, h));
    }

    public void register(RoutesConfig r) {
        r.get("/gemini/<path>", this::dispatch);
        r.post("/gemini/<path>", this::dispatch);
        r.delete("/gemini/<path>", this::dispatch);
        r.patch("/gemini/<path>", this::dispatch);
    }

    private static String version(Context ctx) {
        return ctx.path().startsWith("/gemini/v1beta/") ? "v1beta" : "v1";
    }

    private void dispatch(Context ctx) throws Exception {
        String path = ctx.path().substring("/gemini/".length());
        for (Route route : routes) {
            Matcher m = route.pattern().matcher(path);
            if (route.method().equals(ctx.method().name()) && m.matches()) {
                ctx.attribute("gemini.arg", m.groupCount() > 0 ? m.group(1) : null);
                route.handler().handle(ctx);
                return;
            }
        }
        ErrorBodies.render(Provider.GEMINI, ctx, new ApiException(404, "Method not found."), null, emu.now());
    }

    private static String arg(Context ctx) {
        return ctx.attribute("gemini.arg");
    }

    private void create(Context ctx) throws Exception {
        String length = ctx.header("Content-Length");
        if (length != null && Long.parseLong(length.trim()) > MAX_INLINE) {
            throw new ApiException(400, "Request payload size exceeds the limit: " + MAX_INLINE + " bytes.");
        }
        String model = arg(ctx);
        String version = version(ctx);
        ApiException unknown = GeminiModelChecks.geminiModel(emu.config().models(), version, model);
        if (unknown != null) {
            throw unknown;
        }
        JsonNode batchNode = Json.parseObject(ctx.bodyInputStream()).path("batch");
        JsonNode inputConfig = GeminiAnswers.field(batchNode, "inputConfig", "input_config");
        JsonNode fileName = GeminiAnswers.field(inputConfig, "fileName", "file_name");
        JsonNode requests = inputConfig.path("requests").path("requests");
        ObjectNode attributes = Json.object();
        attributes.put("displayName", GeminiAnswers.field(batchNode, "displayName", "display_name").asText(""));
        attributes.put("priority", batchNode.path("priority").asLong(0));
        attributes.put("cache_scope", Gate.scope(ctx));
        Instant createdAt = emu.now();
        GeminiCaching.View cacheView = new GeminiCaching.View(emu.cachedContents(), Gate.scope(ctx), createdAt);
        GeminiIntake intake;
        if (fileName.isTextual()) {
            StoredFile f = files.find(fileName.asText().replaceFirst("^files/", ""));
            attributes.put("fileName", f.id());
            intake = GeminiIntake.file(emu.files().pin(f), emu.config().models(), model, cacheView);
        } else if (requests.isArray()) {
            Path spool = emu.files().newSpoolPath("gemini-inline");
            try {
                intake = GeminiIntake.inline(requests, spool, emu.config().models(), model, cacheView);
            } catch (RuntimeException e) {
                Files.deleteIfExists(spool);
                throw e;
            }
        } else {
            throw new ApiException(400, "* BatchGenerateContentRequest.batch.input_config: exactly one of "
                    + "requests or file_name must be set\n");
        }
        var quota = emu.faults().enqueuedTokenQuota(Provider.GEMINI, model);
        if (quota.isPresent() && emu.engine().enqueuedTokens(Provider.GEMINI, model) + intake.promptTokens()
                > quota.getAsLong()) {
            throw new ApiException(429, "You exceeded your current quota for enqueued batch tokens of model " + model
                    + " (limit " + quota.getAsLong() + "). Please wait for running batch jobs to finish.");
        }
        boolean nothingParsable = intake.unparsable() == intake.count();
        Batch batch = new Batch(new Batch.Spec(emu.ids().geminiBatch(), Provider.GEMINI, createdAt, model,
                intake.count(), intake.promptTokens(), intake.input(), intake.badLines(),
                emu.faults().takeBatchFault(Provider.GEMINI),
                nothingParsable ? new Batch.BatchFailure(Json.array()) : null, attributes));
        emu.engine().add(batch);
        Json.send(ctx, render(batch));
    }

    private void list(Context ctx) {
        int size = Paging.limit(ctx.queryParam("pageSize"), 50, 1000, "pageSize");
        var page = Paging.after(emu.engine().list(Provider.GEMINI), Batch::id, decodeToken(ctx.queryParam("pageToken")),
                size);
        ObjectNode o = Json.object();
        if (!page.items().isEmpty()) {
            ArrayNode ops = o.putArray("operations");
            page.items().forEach(b -> ops.add(render(b)));
            if (page.hasMore()) {
                o.put("nextPageToken", encodeToken(page.items().getLast().id()));
            }
        }
        Json.send(ctx, o);
    }

    private void cancel(Context ctx) {
        Batch b = batch(ctx);
        if (emu.engine().snapshot(b).phase().terminal()) {
            throw new ApiException(400, "Batch batches/" + b.id() + " is already in a terminal state.", null,
                    "FAILED_PRECONDITION");
        }
        emu.engine().cancel(b);
        Json.send(ctx, Json.object());
    }

    private void delete(Context ctx) {
        Batch b = batch(ctx);
        emu.engine().cancel(b);
        emu.engine().delete(b);
        Json.send(ctx, Json.object());
    }

    private Batch batch(Context ctx) {
        Batch b = emu.engine().get(Provider.GEMINI, arg(ctx));
        if (b == null) {
            throw new ApiException(404, "Batch batches/" + arg(ctx) + " not found.");
        }
        return b;
    }

    private ObjectNode render(Batch b) {
        Snapshot s = emu.engine().snapshot(b);
        return GeminiJson.operation(b, s, emu.engine().results(b, s, writer));
    }

    static String encodeToken(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    static String decodeToken(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "Invalid page token.");
        }
    }
}
