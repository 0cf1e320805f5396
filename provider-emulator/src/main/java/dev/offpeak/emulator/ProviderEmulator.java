package dev.offpeak.emulator;

import dev.offpeak.emulator.anthropic.AnthropicRoutes;
import dev.offpeak.emulator.gemini.GeminiRoutes;
import dev.offpeak.emulator.openai.OpenAiRoutes;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.SizeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The running emulator: one port, each provider under its own base path ({@code /openai/v1},
 * {@code /anthropic/v1}, {@code /gemini/v1beta} and {@code /gemini/v1}), the admin API under
 * {@code /_emulator}. Tests start it with {@code ProviderEmulator.start(config)} on port 0 and drive
 * faults, counters and the clock through this object.
 */
public final class ProviderEmulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderEmulator.class);
    private final EmulatorConfig config;
    private final Emulation emu;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final Journal journal;
    private final Javalin app;

    private ProviderEmulator(EmulatorConfig config) throws IOException {
        this.config = config.validate();
        this.ownsDataDir = config.dataDir() == null;
        this.dataDir = ownsDataDir ? Files.createTempDirectory("offpeak-emulator") : config.dataDir();
        Path multipart = Files.createDirectories(dataDir.resolve("multipart"));
        this.emu = new Emulation(config, new FileStore(dataDir.resolve("files")), System.nanoTime());
        // A data folder the caller chose outlives this run: journal into it, and pick up an earlier run's batches.
        this.journal = ownsDataDir ? Journal.NONE : Journal.open(dataDir, emu.files(), emu.engine(),
                emu.cachedContents());
        emu.files().journal(journal);
        emu.engine().journal(journal);
        emu.cachedContents().journal(journal);
        OpenAiRoutes openAi = new OpenAiRoutes(emu);
        AnthropicRoutes anthropic = new AnthropicRoutes(emu);
        GeminiRoutes gemini = new GeminiRoutes(emu);
        AdminRoutes admin = new AdminRoutes(this);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.concurrency.useVirtualThreads = true;
            // JSON bodies read whole are small; the big ones (uploads, Anthropic batches) are streamed.
            cfg.http.maxRequestSize = 32L * 1024 * 1024;
            // Files are streamed with their exact Content-Length; on-the-fly gzip would contradict it.
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            // Uploads spill to disk above 1 MB instead of being buffered in the heap.
            cfg.jetty.multipartConfig.cacheDirectory(multipart.toString());
            cfg.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
            cfg.jetty.multipartConfig.maxFileSize(600, SizeUnit.MB);
            cfg.jetty.multipartConfig.maxTotalRequestSize(600, SizeUnit.MB);
            openAi.register(cfg.routes);
            anthropic.register(cfg.routes);
            gemini.register(cfg.routes);
            admin.register(cfg.routes);
        });
        app.start(config.host(), config.port());
        String host = "0.0.0.0".equals(config.host()) || "::".equals(config.host()) ? "localhost" : config.host();
        emu.baseUrl(config.publicBaseUrl() != null ? config.publicBaseUrl() : "http://" + host + ":" + app.port());
        LOG.info("Provider emulator listening on {} with {}", baseUrl(), config);
    }

    public static ProviderEmulator start(EmulatorConfig config) {
        try {
            return new ProviderEmulator(config);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the provider emulator", e);
        }
    }

    public int port() {
        return app.port();
    }

    /** {@code http://<host>:<port>} (or the configured public base URL). */
    public String baseUrl() {
        return emu.baseUrl();
    }

    /** What the OpenAI SDK takes as {@code baseURL}. */
    public String openAiBaseUrl() {
        return baseUrl() + OpenAiRoutes.BASE;
    }

    /** What the Anthropic SDK takes as {@code baseURL} (it appends {@code /v1/messages/batches}). */
    public String anthropicBaseUrl() {
        return baseUrl() + "/anthropic";
    }

    /** What the Gemini SDK takes as {@code httpOptions.baseUrl} (it appends {@code /v1beta/...}). */
    public String geminiBaseUrl() {
        return baseUrl() + "/gemini";
    }

    public EmulatorConfig config() {
        return config;
    }

    public Faults faults() {
        return emu.faults();
    }

    /** Requests-per-window limits of the synchronous endpoints. */
    public SyncRateLimits rateLimits() {
        return emu.rateLimits();
    }

    public Counters counters() {
        return emu.counters();
    }

    public Instant now() {
        return emu.now();
    }

    public boolean hasManualClock() {
        return config.clock() instanceof ManualClock;
    }

    /** Moves the manual clock; batch states follow on the next call. Throws when the clock is the system's. */
    public Instant advanceClock(Duration by) {
        if (!(config.clock() instanceof ManualClock manual)) {
            throw new IllegalStateException("the emulator runs on the system clock; start it with a ManualClock");
        }
        return manual.advance(by);
    }

    /**
     * Gemini's explicit caches ever created (deleted and expired ones included, oldest first), with
     * what storage billing needs: token count, creation, end, token-seconds so far.
     */
    public java.util.List<CachedContentStore.Entry> cachedContents() {
        return emu.cachedContents().all();
    }

    /** Forgets every batch, file, prompt cache, armed fault, quota and counter. The clock is left where it is. */
    public void reset() {
        journal.reset();
        emu.engine().clear();
        emu.clearCaches();
        emu.faults().clear();
        emu.rateLimits().clear();
        emu.counters().clear();
        try {
            emu.files().clear();
        } catch (IOException e) {
            throw new UncheckedIOException("could not clear emulator files", e);
        }
    }

    @Override
    public void close() {
        app.stop();
        journal.close();
        if (ownsDataDir) {
            try (Stream<Path> all = Files.walk(dataDir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                LOG.warn("could not delete emulator data dir {}", dataDir, e);
            }
        }
    }
}
