package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.CachedContentStore;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.PrefixStore;
import dev.offpeak.emulator.Provider;
import java.time.Instant;

/**
 * Gemini's two caches as a batch line meets them (https://ai.google.dev/gemini-api/docs/caching):
 * explicit caches named by {@code cachedContent} (their tokens are part of the prompt and reported as
 * {@code cachedContentTokenCount}), and implicit caching of a prefix shared with a recent request.
 */
final class GeminiCaching {
    /** Implicit prefixes are compared in blocks of this many characters (128 estimated tokens), and at part ends. */
    static final int GRID_CHARS = 512;
    static final String NOT_FOUND = "CachedContent not found (or permission denied)";

    private GeminiCaching() {
    }

    /**
     * The explicit caches as a batch sees them: those of its caller, as they stood when it was created.
     * Lines are checked against the cache at the batch's creation, and keep that answer.
     */
    record View(CachedContentStore store, String scope, Instant at) {
        static final View NONE = new View(new CachedContentStore(), "", Instant.EPOCH);

        /** The cache this request names, if it is the caller's and alive at the batch's creation; else null. */
        CachedContentStore.Entry usable(JsonNode request) {
            String id = cacheId(request);
            if (id == null) {
                return null;
            }
            CachedContentStore.Entry e = store.find(id);
            return e != null && e.scope().equals(scope) && e.aliveAt(at) ? e : null;
        }
    }

    /** The cache id named by {@code cachedContent} / {@code cached_content} ("cachedContents/x" → "x"), or null. */
    static String cacheId(JsonNode request) {
        JsonNode v = GeminiAnswers.field(request, "cachedContent", "cached_content");
        if (!v.isTextual() || v.asText().isEmpty()) {
            return null;
        }
        return v.asText().replaceFirst("^cachedContents/", "");
    }

    /**
     * The per-request Status for a {@code cachedContent} the request cannot use, or null: unknown, another
     * caller's, deleted or expired → 403 {@code PERMISSION_DENIED}; made for another model → 400.
     */
    static ObjectNode error(JsonNode request, View view, ModelCatalog models, String model) {
        if (cacheId(request) == null) {
            return null;
        }
        CachedContentStore.Entry e = view.usable(request);
        if (e == null) {
            return GeminiAnswers.status(403, NOT_FOUND, "PERMISSION_DENIED");
        }
        if (!sameModel(models, model, e.model())) {
            return GeminiAnswers.status(400, "Model used by GenerateContent request (models/" + model
                    + ") and CachedContent (models/" + e.model() + ") has to be the same.", "INVALID_ARGUMENT");
        }
        return null;
    }

    static boolean sameModel(ModelCatalog models, String a, String b) {
        String ia = models.find(Provider.GEMINI, a).map(ModelCatalog.Model::id).orElse(a);
        String ib = models.find(Provider.GEMINI, b).map(ModelCatalog.Model::id).orElse(b);
        return ia.equals(ib);
    }

    /** Tokens the request's explicit cache adds to its prompt (0 without a usable one). */
    static long explicitTokens(JsonNode request, View view) {
        CachedContentStore.Entry e = view.usable(request);
        return e == null ? 0 : e.totalTokens();
    }

    /**
     * Tokens of the request's prompt read from the caller's implicit cache at {@code t} (0 when the model does
     * not cache or the request names an explicit cache); remembers the prompt for later requests, batch
     * lines and synchronous calls alike.
     */
    static long implicitTokens(dev.offpeak.emulator.Emulation emu, String scope, String model, JsonNode request,
                               Instant t) {
        long minCacheable = emu.config().models().minCacheablePrefix(Provider.GEMINI, model);
        if (minCacheable <= 0 || cacheId(request) != null) {
            return 0;
        }
        long chars = emu.geminiImplicitCache().lookupAndRemember(scope + "|" + model,
                implicitPrompt(request, minCacheable * 4), minCacheable * 4, t,
                emu.config().choices().geminiImplicitCacheIdle(), java.time.Duration.ofDays(3650));
        return chars / 4;
    }

    /**
     * The request's prompt as implicit caching compares it, in the order the model reads it: tools and
     * tool config, system instruction, then the contents, one boundary at the end of each part.
     */
    static PrefixStore.Prompt implicitPrompt(JsonNode request, long minChars) {
        PrefixStore.Builder b = new PrefixStore.Builder(GRID_CHARS, minChars);
        if (request.has("tools")) {
            b.text(request.get("tools").toString()).mark();
        }
        JsonNode toolConfig = GeminiAnswers.field(request, "toolConfig", "tool_config");
        if (!toolConfig.isMissingNode() && !toolConfig.isNull()) {
            b.salt("toolConfig" + toolConfig);
        }
        b.salt("|system|");
        for (JsonNode part : GeminiAnswers.field(request, "systemInstruction", "system_instruction").path("parts")) {
            b.text(part.path("text").asText("")).mark();
        }
        for (JsonNode content : request.path("contents")) {
            b.salt("|" + content.path("role").asText("user") + "|");
            for (JsonNode part : content.path("parts")) {
                b.text(part.has("text") ? part.get("text").asText() : part.toString()).mark();
            }
        }
        return b.build();
    }
}
