package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.Map;

/**
 * The test-control API under {@code /_emulator} (JSON in, JSON out). It mirrors the Java API of
 * {@link ProviderEmulator}: arm faults, set quotas, read counters, move the manual clock, reset.
 * It needs no key; it is meant for local and test use only.
 */
public final class AdminRoutes {
    public static final String BASE = "/_emulator";
    private final ProviderEmulator emulator;

    public AdminRoutes(ProviderEmulator emulator) {
        this.emulator = emulator;
    }

    public void register(RoutesConfig r) {
        r.get(BASE + "/health", guard(ctx -> Json.send(ctx, Map.of("status", "ok"))));
        r.get(BASE + "/memory", guard(ctx -> Json.send(ctx, memory())));
        r.get(BASE + "/counters", guard(ctx -> Json.send(ctx, emulator.counters().snapshot())));
        r.post(BASE + "/faults", guard(this::armFault));
        r.delete(BASE + "/faults", guard(ctx -> {
            emulator.faults().clear();
            Json.send(ctx, Map.of("cleared", true));
        }));
        r.post(BASE + "/batch-faults", guard(this::armBatchFault));
        r.post(BASE + "/flex-shed", guard(this::armFlexShed));
        r.post(BASE + "/quotas", guard(this::setQuota));
        r.post(BASE + "/rate-limits", guard(this::setRateLimit));
        r.get(BASE + "/clock", guard(ctx -> Json.send(ctx, clock())));
        r.post(BASE + "/clock/advance", guard(this::advance));
        r.get(BASE + "/cached-contents", guard(ctx -> Json.send(ctx, cachedContents())));
        r.post(BASE + "/reset", guard(ctx -> {
            emulator.reset();
            Json.send(ctx, Map.of("reset", true));
        }));
    }

    /**
     * {@code {"provider":"openai","operation":"create_batch","count":2,"status":429,
     * "retry_after_seconds":3,"delay_ms":0}}; status 0 or absent with delay_ms makes a slow-only fault.
     */
    private void armFault(Context ctx) {
        ObjectNode b = Json.parseObject(ctx.bodyInputStream());
        Provider p = Provider.fromWire(b.path("provider").asText());
        int status = b.path("status").asInt(0);
        Duration retryAfter = b.has("retry_after_seconds") ? Duration.ofSeconds(b.get("retry_after_seconds").asLong())
                : null;
        Duration delay = b.has("delay_ms") ? Duration.ofMillis(b.get("delay_ms").asLong()) : null;
        if (status == 0 && delay == null) {
            throw new IllegalArgumentException("a fault needs a status, a delay_ms, or both");
        }
        emulator.faults().arm(p, b.path("operation").asText(), b.path("count").asInt(1),
                new Faults.CallFault(status, retryAfter, delay));
        Json.send(ctx, Map.of("armed", true));
    }

    /** {@code {"provider":"openai","count":2}}: the next 2 flex calls of the provider are shed. */
    private void armFlexShed(Context ctx) {
        ObjectNode b = Json.parseObject(ctx.bodyInputStream());
        Provider p = Provider.fromWire(b.path("provider").asText());
        emulator.faults().shedNextFlex(p, b.path("count").asInt(1));
        Json.send(ctx, Map.of("armed", true));
    }

    /** {@code {"provider":"openai","kind":"expire_after_lines","lines":3}} or {@code "kind":"all_lines_fail"}. */
    private void armBatchFault(Context ctx) {
        ObjectNode b = Json.parseObject(ctx.bodyInputStream());
        Provider p = Provider.fromWire(b.path("provider").asText());
        switch (b.path("kind").asText()) {
            case "expire_after_lines" -> emulator.faults().expireNextBatchAfterLines(p, b.path("lines").asInt(0));
            case "all_lines_fail" -> emulator.faults().failAllLinesOfNextBatch(p);
            default -> throw new IllegalArgumentException("kind must be expire_after_lines or all_lines_fail");
        }
        Json.send(ctx, Map.of("armed", true));
    }

    /** {@code {"provider":"openai","model":"gpt-4o-mini","enqueued_tokens":2000000}}. */
    private void setQuota(Context ctx) {
        ObjectNode b = Json.parseObject(ctx.bodyInputStream());
        Provider p = Provider.fromWire(b.path("provider").asText());
        String model = b.path("model").asText();
        if (model.isEmpty() || !b.has("enqueued_tokens")) {
            throw new IllegalArgumentException("model and enqueued_tokens are required");
        }
        emulator.faults().setEnqueuedTokenQuota(p, model, b.get("enqueued_tokens").asLong());
        Json.send(ctx, Map.of("set", true));
    }

    /**
     * {@code {"provider":"openai","model":"gpt-4o-mini","requests":500,"tokens":200000,"per_seconds":60}}: the
     * synchronous calls of the provider's models starting with {@code model} are limited to {@code requests} and
     * {@code tokens} input tokens (optional, 0: none) per {@code per_seconds} (default 60); see {@link SyncRateLimits}.
     */
    private void setRateLimit(Context ctx) {
        ObjectNode b = Json.parseObject(ctx.bodyInputStream());
        Provider p = Provider.fromWire(b.path("provider").asText());
        String model = b.path("model").asText();
        if (model.isEmpty() || !b.path("requests").canConvertToLong() || b.path("requests").asLong() < 1) {
            throw new IllegalArgumentException("model and requests (>= 1) are required");
        }
        double seconds = b.path("per_seconds").asDouble(60);
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("per_seconds must be > 0");
        }
        long tokens = b.path("tokens").asLong(0);
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens must be >= 0");
        }
        emulator.rateLimits().set(p, model, b.get("requests").asLong(), tokens, Duration.ofMillis(Math.round(seconds * 1000)));
        Json.send(ctx, Map.of("set", true));
    }

    /** {@code {"seconds":60}}, {@code {"millis":1500}} or {@code {"duration":"PT24H"}}; needs a manual clock. */
    private void advance(Context ctx) {
        ObjectNode b = Json.parseObject(ctx.bodyInputStream());
        Duration by = b.has("duration") ? Duration.parse(b.get("duration").asText())
                : b.has("millis") ? Duration.ofMillis(b.get("millis").asLong())
                : Duration.ofSeconds(b.path("seconds").asLong());
        emulator.advanceClock(by);
        Json.send(ctx, clock());
    }

    /**
     * Gemini's explicit caches and their storage: {@code {"cached_contents":[{"name","model","total_token_count",
     * "create_time","expire_time","deleted_at","end_time","live","storage_token_seconds"}]}}.
     */
    private ObjectNode cachedContents() {
        java.time.Instant now = emulator.now();
        ObjectNode o = Json.object();
        var list = o.putArray("cached_contents");
        for (CachedContentStore.Entry e : emulator.cachedContents()) {
            ObjectNode c = list.addObject();
            c.put("name", "cachedContents/" + e.id());
            c.put("model", "models/" + e.model());
            c.put("total_token_count", e.totalTokens());
            c.put("create_time", e.createTime().toString());
            c.put("expire_time", e.expireTime().toString());
            c.put("deleted_at", e.deletedAt() == null ? null : e.deletedAt().toString());
            c.put("end_time", e.endTime().toString());
            c.put("live", e.aliveAt(now));
            c.put("storage_token_seconds", e.storageTokenSeconds(now));
        }
        return o;
    }

    private Map<String, Object> clock() {
        return Map.of("now", emulator.now().toString(), "manual", emulator.hasManualClock());
    }

    /**
     * Heap figures of this JVM, for the memory test: current use, and the sum of each heap pool's
     * peak (pools peak at different moments, so the sum is an upper bound of the true peak).
     */
    private static Map<String, Object> memory() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return Map.of("heap_used", heap.getUsed(), "heap_committed", heap.getCommitted(), "heap_max", heap.getMax(),
                "heap_peak_upper_bound", peak);
    }

    private static Handler guard(Handler h) {
        return ctx -> {
            try {
                h.handle(ctx);
            } catch (IllegalArgumentException | IllegalStateException | ApiException e) {
                ctx.status(400);
                Json.send(ctx, Map.of("error", String.valueOf(e.getMessage())));
                ctx.status(400);
            }
        };
    }
}
