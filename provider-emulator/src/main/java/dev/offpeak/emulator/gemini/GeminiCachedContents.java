package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.CachedContentStore;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.Gate;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.Paging;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.Times;
import dev.offpeak.emulator.TokenCounter;
import io.javalin.http.Context;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gemini's explicit context caching API ({@code cachedContents}, https://ai.google.dev/api/caching):
 * create, get, update (TTL or expiry only), delete and list, per caller. A cache holds a token count
 * (the request's system instruction, contents and tools at four characters a token), not the text:
 * a batch request naming it pays for those tokens in its prompt and reports them as cached.
 */
final class GeminiCachedContents {
    static final Duration DEFAULT_TTL = Duration.ofHours(1);
    private static final Pattern DURATION = Pattern.compile("^(\\d+(?:\\.\\d{1,9})?)s$");
    private static final Set<String> UPDATABLE = Set.of("name", "ttl", "expireTime", "expire_time");

    private final Emulation emu;

    GeminiCachedContents(Emulation emu) {
        this.emu = emu;
    }

    void create(Context ctx, String version) {
        ObjectNode body = Json.parseObject(ctx.bodyInputStream());
        String model = body.path("model").asText("").replaceFirst("^models/", "");
        if (model.isEmpty()) {
            throw new ApiException(400, "* CreateCachedContentRequest.cached_content.model: model is not specified\n");
        }
        ModelCatalog models = emu.config().models();
        long min = models.minCacheablePrefix(Provider.GEMINI, model);
        if (models.find(Provider.GEMINI, model).isEmpty() || min <= 0) {
            throw new ApiException(404, "models/" + model + " is not found for API version " + version
                    + ", or is not supported for createCachedContent. Call ListModels to see the list of available "
                    + "models and their supported methods.");
        }
        Instant now = emu.now();
        Instant expire = expiry(body, now, true);
        long tokens = TokenCounter.estimate(GeminiAnswers.promptChars(body));
        if (tokens < min) {
            throw new ApiException(400, "Cached content is too small. total_token_count=" + tokens
                    + ", min_total_token_count=" + min);
        }
        String displayName = GeminiAnswers.field(body, "displayName", "display_name").asText("");
        CachedContentStore.Entry e = emu.cachedContents().create(new CachedContentStore.Entry(
                emu.ids().geminiCachedContent(), Gate.scope(ctx), model, displayName, now, now, expire, null, tokens));
        Json.send(ctx, render(e));
    }

    void get(Context ctx, String id) {
        Json.send(ctx, render(live(ctx, id)));
    }

    void update(Context ctx, String id) {
        CachedContentStore.Entry e = live(ctx, id);
        ObjectNode body = Json.parseObject(ctx.bodyInputStream());
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!UPDATABLE.contains(f)) {
                throw new ApiException(400, "* UpdateCachedContentRequest.cached_content." + GeminiRuleErrors.snakeCase(f)
                        + ": only ttl or expire_time can be updated\n");
            }
        }
        Instant now = emu.now();
        Instant expire = expiry(body, now, false);
        if (expire == null) {
            throw new ApiException(400, "* UpdateCachedContentRequest.cached_content: ttl or expire_time must be set\n");
        }
        Json.send(ctx, render(emu.cachedContents().updateExpiry(e.id(), expire, now)));
    }

    void delete(Context ctx, String id) {
        CachedContentStore.Entry e = live(ctx, id);
        emu.cachedContents().delete(e.id(), emu.now());
        Json.send(ctx, Json.object());
    }

    void list(Context ctx) {
        int size = Paging.limit(ctx.queryParam("pageSize"), 100, 1000, "pageSize");
        String scope = Gate.scope(ctx);
        Instant now = emu.now();
        List<CachedContentStore.Entry> mine = emu.cachedContents().all().stream()
                .filter(e -> e.scope().equals(scope) && e.aliveAt(now)).toList();
        var page = Paging.after(mine, CachedContentStore.Entry::id,
                GeminiRoutes.decodeToken(ctx.queryParam("pageToken")), size);
        ObjectNode o = Json.object();
        if (!page.items().isEmpty()) {
            ArrayNode list = o.putArray("cachedContents");
            page.items().forEach(e -> list.add(render(e)));
            if (page.hasMore()) {
                o.put("nextPageToken", GeminiRoutes.encodeToken(page.items().getLast().id()));
            }
        }
        Json.send(ctx, o);
    }

    /** The caller's cache, if it is alive now; otherwise the 403 Google gives for unknown and foreign caches. */
    private CachedContentStore.Entry live(Context ctx, String id) {
        CachedContentStore.Entry e = emu.cachedContents().find(id);
        if (e == null || !e.scope().equals(Gate.scope(ctx)) || !e.aliveAt(emu.now())) {
            throw new ApiException(403, GeminiCaching.NOT_FOUND);
        }
        return e;
    }

    /** {@code ttl} ("3600s") or {@code expireTime} (RFC 3339); neither: the default hour on create, null on update. */
    private static Instant expiry(JsonNode body, Instant now, boolean creating) {
        JsonNode ttl = body.path("ttl");
        JsonNode expireTime = GeminiAnswers.field(body, "expireTime", "expire_time");
        boolean hasTtl = !ttl.isMissingNode() && !ttl.isNull();
        boolean hasExpire = !expireTime.isMissingNode() && !expireTime.isNull();
        String message = creating ? "CreateCachedContentRequest" : "UpdateCachedContentRequest";
        if (hasTtl && hasExpire) {
            throw new ApiException(400, "* " + message + ".cached_content.expiration: only one of ttl or expire_time "
                    + "may be set\n");
        }
        if (hasTtl) {
            Matcher m = DURATION.matcher(ttl.asText());
            if (!ttl.isTextual() || !m.matches()) {
                throw new ApiException(400, "Invalid value at 'cached_content.ttl' (type.googleapis.com/google.protobuf"
                        + ".Duration), \"" + ttl.asText() + "\"");
            }
            BigDecimal seconds = new BigDecimal(m.group(1));
            Duration d = Duration.ofSeconds(seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
            if (d.isZero()) {
                throw new ApiException(400, "* " + message + ".cached_content.ttl: ttl must be positive\n");
            }
            return now.plus(d);
        }
        if (hasExpire) {
            Instant t;
            try {
                t = Instant.parse(expireTime.asText());
            } catch (DateTimeParseException e) {
                throw new ApiException(400, "Invalid value at 'cached_content.expire_time' (type.googleapis.com/"
                        + "google.protobuf.Timestamp), \"" + expireTime.asText() + "\"");
            }
            if (!t.isAfter(now)) {
                throw new ApiException(400, "* " + message + ".cached_content.expire_time: expire_time must be in "
                        + "the future\n");
            }
            return t;
        }
        return creating ? now.plus(DEFAULT_TTL) : null;
    }

    /** The CachedContent resource as Google returns it (the contents are not echoed). */
    static ObjectNode render(CachedContentStore.Entry e) {
        ObjectNode o = Json.object();
        o.put("name", "cachedContents/" + e.id());
        o.put("model", "models/" + e.model());
        if (!e.displayName().isEmpty()) {
            o.put("displayName", e.displayName());
        }
        o.put("createTime", Times.nanos(e.createTime()));
        o.put("updateTime", Times.nanos(e.updateTime()));
        o.put("expireTime", Times.nanos(e.expireTime()));
        o.putObject("usageMetadata").put("totalTokenCount", e.totalTokens());
        return o;
    }
}
