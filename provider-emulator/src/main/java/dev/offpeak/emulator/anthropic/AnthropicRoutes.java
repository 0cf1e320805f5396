package dev.offpeak.emulator.anthropic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Batch;
import dev.offpeak.emulator.Counters;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.ErrorBodies;
import dev.offpeak.emulator.Gate;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Operations;
import dev.offpeak.emulator.Paging;
import dev.offpeak.emulator.Phase;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.Results;
import dev.offpeak.emulator.Snapshot;
import dev.offpeak.emulator.Timeline;
import dev.offpeak.emulator.Times;
import dev.offpeak.emulator.Urls;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Anthropic Message Batches under {@code /anthropic/v1/messages/batches} (anthropic-message-batches.md), and the
 * synchronous Messages API at {@code /anthropic/v1/messages}.
 */
public final class AnthropicRoutes {
    public static final String BASE = "/anthropic/v1/messages/batches";
    /** The synchronous Messages API. */
    public static final String MESSAGES = "/anthropic/v1/messages";
    static final String STREAM_MESSAGE = "stream: the provider emulator does not stream responses; send the request "
            + "without stream (or with stream: false)";
    private static final Duration RETENTION = Duration.ofDays(29);

    private final Emulation emu;
    private final Gate gate;
    private final AnthropicResultWriter writer;

    public AnthropicRoutes(Emulation emu) {
        this.emu = emu;
        this.gate = new Gate(Provider.ANTHROPIC, emu);
        this.writer = new AnthropicResultWriter(emu);
    }

    public void register(RoutesConfig r) {
        r.post(BASE, gate.wrap(Operations.CREATE_BATCH, this::create));
        r.get(BASE, gate.wrap(Operations.LIST_BATCHES, this::list));
        r.get(BASE + "/{id}", gate.wrap(Operations.GET_BATCH, ctx -> Json.send(ctx, render(ctx, batch(ctx)))));
        r.post(BASE + "/{id}/cancel", gate.wrap(Operations.CANCEL_BATCH, this::cancel));
        r.delete(BASE + "/{id}", gate.wrap(Operations.DELETE_BATCH, this::delete));
        r.get(BASE + "/{id}/results", gate.wrap(Operations.RESULTS, this::results));
        r.post(MESSAGES, gate.wrap(Operations.MESSAGES, this::message));
        ErrorBodies.notFoundUnder(r, "/anthropic", Provider.ANTHROPIC, emu);
    }

    private void create(Context ctx) throws IOException {
        String length = ctx.header("Content-Length");
        if (length != null && Long.parseLong(length.trim()) > AnthropicIntake.MAX_BODY) {
            throw AnthropicIntake.tooLarge();
        }
        Path spool = emu.files().newSpoolPath("anthropic-requests");
        AnthropicIntake in;
        try {
            in = AnthropicIntake.read(ctx.bodyInputStream(), spool, emu.config().models());
        } catch (RuntimeException | IOException e) {
            Files.deleteIfExists(spool);
            throw e;
        }
        Batch batch = new Batch(new Batch.Spec(emu.ids().anthropicBatch(), Provider.ANTHROPIC, emu.now(), null,
                in.count(), in.promptTokens(), spool, in.badParams(), emu.faults().takeBatchFault(Provider.ANTHROPIC),
                null, Json.object().put("cache_scope", Gate.scope(ctx))));
        emu.engine().add(batch);
        Json.send(ctx, render(ctx, batch));
    }

    /**
     * {@code POST /v1/messages}, not streamed: the request is checked as a batch request's {@code params} are
     * (request rules, model limits, at most 4 cache breakpoints) and refused with the Messages API's HTTP
     * error (400 {@code invalid_request_error}, 404 {@code not_found_error}); else answered with the same
     * message and usage a batch line gets, the prompt cache shared with batches, and
     * {@code usage.service_tier: "standard"}.
     */
    private void message(Context ctx) {
        ObjectNode params = Json.parseObject(ctx.bodyInputStream());
        try {
            emu.rateLimits().admit(Provider.ANTHROPIC, params.path("model").asText(), Gate.scope(ctx), ctx,
                    () -> dev.offpeak.emulator.SyncRateLimits.tokensOf(params));
        } catch (ApiException e) {
            emu.counters().syncCall(Provider.ANTHROPIC, Operations.MESSAGES, "standard",
                    Counters.SyncOutcome.RATE_LIMITED);
            throw e;
        }
        ApiException refused = params.path("stream").asBoolean(false)
                ? new ApiException(400, STREAM_MESSAGE, null, "invalid_request_error")
                : AnthropicAnswers.error(params, emu.config().models());
        if (refused != null) {
            emu.counters().syncCall(Provider.ANTHROPIC, Operations.MESSAGES, "standard",
                    Counters.SyncOutcome.REFUSED);
            throw refused;
        }
        AnthropicAnswers answers = new AnthropicAnswers(emu.anthropicCache(), emu.config().models(),
                emu.config().choices().anthropicMinCacheableTokens(), Gate.scope(ctx));
        ObjectNode msg = answers.message(params, emu.now(), "standard");
        emu.counters().syncCall(Provider.ANTHROPIC, Operations.MESSAGES, "standard", Counters.SyncOutcome.ANSWERED);
        Json.send(ctx, msg);
    }

    private void list(Context ctx) {
        int limit = Paging.limit(ctx.queryParam("limit"), 20, 1000, "limit");
        var all = emu.engine().list(Provider.ANTHROPIC);
        String before = ctx.queryParam("before_id");
        Paging.Page<Batch> page = before != null && !before.isEmpty()
                ? Paging.before(all, Batch::id, before, limit)
                : Paging.after(all, Batch::id, ctx.queryParam("after_id"), limit);
        ArrayNode data = Json.array();
        page.items().forEach(b -> data.add(render(ctx, b)));
        ObjectNode o = Json.object();
        o.set("data", data);
        o.put("has_more", page.hasMore());
        o.set("first_id", data.isEmpty() ? Json.MAPPER.nullNode() : data.get(0).get("id"));
        o.set("last_id", data.isEmpty() ? Json.MAPPER.nullNode() : data.get(data.size() - 1).get("id"));
        Json.send(ctx, o);
    }

    private void cancel(Context ctx) {
        Batch b = batch(ctx);
        if (emu.engine().snapshot(b).phase().terminal()) {
            throw new ApiException(emu.config().choices().anthropicCancelEndedStatus(),
                    "Message Batch " + b.id() + " has already ended and cannot be canceled.");
        }
        emu.engine().cancel(b);
        Json.send(ctx, render(ctx, b));
    }

    private void delete(Context ctx) {
        Batch b = batch(ctx);
        if (!emu.engine().snapshot(b).phase().terminal()) {
            throw new ApiException(400, "In progress batches cannot be deleted. Consider canceling the batch instead.");
        }
        emu.engine().delete(b);
        Json.send(ctx, Map.of("id", b.id(), "type", "message_batch_deleted"));
    }

    private void results(Context ctx) throws IOException {
        Batch b = batch(ctx);
        Snapshot s = emu.engine().snapshot(b);
        if (!s.phase().terminal() || archived(b)) {
            throw new ApiException(404, "Message Batch " + b.id() + " has no available results.");
        }
        Results r = emu.engine().results(b, s, writer);
        ctx.contentType("application/x-jsonl");
        ctx.header("Content-Length", String.valueOf(Files.size(r.resultsPath())));
        ctx.result(Files.newInputStream(r.resultsPath()));
    }

    private boolean archived(Batch b) {
        return !emu.now().isBefore(b.spec().createdAt().plus(RETENTION));
    }

    private Batch batch(Context ctx) {
        String id = ctx.pathParam("id");
        Batch b = emu.engine().get(Provider.ANTHROPIC, id);
        if (b == null) {
            throw new ApiException(404, "Message Batch " + id + " not found.");
        }
        return b;
    }

    private ObjectNode render(Context ctx, Batch b) {
        Snapshot s = emu.engine().snapshot(b);
        Results r = emu.engine().results(b, s, writer);
        boolean ended = s.phase().terminal();
        ObjectNode o = Json.object();
        o.put("id", b.id());
        o.put("type", "message_batch");
        o.put("processing_status", ended ? "ended" : s.phase() == Phase.CANCELLING ? "canceling" : "in_progress");
        // Documented contract: everything stays in "processing" until the whole batch has ended.
        o.putObject("request_counts").put("processing", ended ? 0 : b.spec().lineCount())
                .put("succeeded", r.succeeded()).put("errored", r.errored())
                .put("canceled", r.cancelled()).put("expired", r.expired());
        o.put("ended_at", Times.micros(ended ? s.endedAt() : null));
        o.put("created_at", Times.micros(b.spec().createdAt()));
        o.put("expires_at", Times.micros(b.spec().createdAt().plus(Timeline.window(Provider.ANTHROPIC))));
        Instant archivedAt = archived(b) ? b.spec().createdAt().plus(RETENTION) : null;
        o.put("archived_at", Times.micros(archivedAt));
        o.put("cancel_initiated_at", Times.micros(Optional.ofNullable(b.cancelRequestedAt())
                .filter(t -> !t.isAfter(emu.now())).orElse(null)));
        o.put("results_url", ended ? Urls.origin(ctx, emu) + BASE + "/" + b.id() + "/results" : null);
        return o;
    }
}
