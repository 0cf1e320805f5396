package dev.offpeak.emulator;

import java.time.Instant;

/**
 * The emulator's shared parts, handed to each route class: configuration, clock-driven batch engine,
 * file store, faults, counters, id source and tokenizer. One instance per running emulator; nothing
 * here is static.
 */
public final class Emulation {
    private final EmulatorConfig config;
    private final FileStore files;
    private final Faults faults = new Faults();
    private final Counters counters = new Counters();
    private final Ids ids;
    private final TokenCounter tokens = new TokenCounter();
    private final BatchEngine engine;
    private final PrefixStore openAiCache = new PrefixStore();
    private final PrefixStore geminiImplicitCache = new PrefixStore();
    private final TtlKeys anthropicCache = new TtlKeys();
    private final CachedContentStore cachedContents = new CachedContentStore();
    private final FlexTier flex;
    private final SyncRateLimits rateLimits = new SyncRateLimits();
    private volatile String baseUrl;

    public Emulation(EmulatorConfig config, FileStore files, long seed) {
        this.config = config;
        this.files = files;
        this.ids = new Ids(seed);
        this.engine = new BatchEngine(config.clock(), new Timeline(config.speed()), counters);
        this.flex = new FlexTier(config, faults);
    }

    /** Requests-per-window limits of the synchronous endpoints (none until set). */
    public SyncRateLimits rateLimits() {
        return rateLimits;
    }

    /** The flex tier of the synchronous endpoints: models, latency, shedding. */
    public FlexTier flex() {
        return flex;
    }

    public EmulatorConfig config() {
        return config;
    }

    public FileStore files() {
        return files;
    }

    public Faults faults() {
        return faults;
    }

    public Counters counters() {
        return counters;
    }

    public Ids ids() {
        return ids;
    }

    public TokenCounter tokens() {
        return tokens;
    }

    public BatchEngine engine() {
        return engine;
    }

    /** OpenAI's automatic prompt cache, shared by all batches (entries are scoped by key and model). */
    public PrefixStore openAiCache() {
        return openAiCache;
    }

    /** Gemini's implicit cache, shared by all batches. */
    public PrefixStore geminiImplicitCache() {
        return geminiImplicitCache;
    }

    /** Anthropic's cache_control prefixes, shared by all batches. */
    public TtlKeys anthropicCache() {
        return anthropicCache;
    }

    /** Gemini's explicit caches ({@code cachedContents}). */
    public CachedContentStore cachedContents() {
        return cachedContents;
    }

    /** Forgets every prompt cache and explicit cache (the admin reset). */
    void clearCaches() {
        openAiCache.clear();
        geminiImplicitCache.clear();
        anthropicCache.clear();
        cachedContents.clear();
    }

    public Instant now() {
        return config.clock().instant();
    }

    /** Absolute base for URLs handed out in bodies (no trailing slash). */
    public String baseUrl() {
        return baseUrl;
    }

    void baseUrl(String url) {
        this.baseUrl = url;
    }
}
