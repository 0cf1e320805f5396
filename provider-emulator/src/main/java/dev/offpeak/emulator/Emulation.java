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
    private volatile String baseUrl;

    public Emulation(EmulatorConfig config, FileStore files, long seed) {
        this.config = config;
        this.files = files;
        this.ids = new Ids(seed);
        this.engine = new BatchEngine(config.clock(), new Timeline(config.speed()), counters);
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
