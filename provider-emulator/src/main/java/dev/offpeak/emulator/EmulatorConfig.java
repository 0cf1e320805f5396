package dev.offpeak.emulator;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the emulator needs to start, built once and validated. Use {@link #defaults()} and the
 * {@code with*} methods; {@link #validate()} reports every bad value at once.
 *
 * @param host          interface to bind ({@code 127.0.0.1} by default, {@code 0.0.0.0} in containers)
 * @param port          0 picks a free port
 * @param speed         how fast batches move through their states
 * @param requiredKey   null: any non-empty key is accepted; otherwise only this key
 * @param dataDir       where uploaded and generated files live; null: a fresh temp dir, deleted on close
 * @param clock         time source; pass a {@link ManualClock} in tests
 * @param publicBaseUrl absolute base used in URLs the emulator hands out (Anthropic {@code results_url},
 *                      Gemini file {@code uri}); null: {@code http://localhost:<port>}
 * @param choices       behaviour where the provider notes are unconfirmed
 * @param models        the models the providers serve and their limits (unknown models and over-limit
 *                      requests are refused as the provider refuses them); by default Offpeak's registry
 */
public record EmulatorConfig(String host, int port, Speed speed, String requiredKey, Path dataDir,
                             InstantSource clock, String publicBaseUrl, Choices choices, ModelCatalog models) {

    /**
     * @param linesPerSecond  lines finished per second once a batch runs
     * @param turnaround      minimum running time of any batch, however small
     * @param validationDelay time spent in {@code validating} / {@code BATCH_STATE_PENDING}
     * @param finalizeDelay   time spent in OpenAI {@code finalizing} (the other providers show it as running)
     * @param cancelDrain     time between cancel and the terminal cancelled state
     */
    public record Speed(double linesPerSecond, Duration turnaround, Duration validationDelay,
                        Duration finalizeDelay, Duration cancelDrain) {
        public static Speed defaults() {
            return new Speed(100, Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(2),
                    Duration.ofSeconds(5));
        }

        /** The demo setting: a batch of a few hundred lines finishes in about a second. */
        public static Speed fast() {
            return new Speed(10_000, Duration.ZERO, Duration.ofMillis(200), Duration.ofMillis(200),
                    Duration.ofMillis(200));
        }
    }

    /**
     * Choices for behaviour the provider notes mark [unconfirmed]; see the module README.
     *
     * @param openAiCountUnfinishedAsFailed     expired / cancelled lines count in {@code request_counts.failed}
     * @param geminiCancelKeepsFinishedResults  a cancelled Gemini job returns the lines it finished
     * @param anthropicMinCacheableTokens       0: each model's minimum cacheable prefix from the model registry
     *                                          (the documented per-model figures); above 0: this one value for
     *                                          every Anthropic model (an override for experiments)
     * @param anthropicCancelEndedStatus        HTTP status of cancel on an ended Anthropic batch
     * @param openAiCacheIdle                   OpenAI in-memory prompt cache: evicted after this much inactivity
     *                                          (documented "5 to 10 minutes")
     * @param openAiCacheMaxAge                 OpenAI in-memory prompt cache: never kept longer than this after it
     *                                          was written (documented "up to one hour")
     * @param openAiExtendedRetentionModels     model id prefixes for which {@code prompt_cache_retention: "24h"}
     *                                          keeps a prefix 24 hours; other models ignore the field
     * @param geminiImplicitCaching             Gemini implicit caching applies to batch requests
     * @param geminiImplicitCacheIdle           Gemini implicit cache: a prefix is forgotten after this much inactivity
     * @param openAiFlexModels                  model id prefixes that offer OpenAI's flex tier
     *                                          ({@code service_tier: "flex"}); another model answers 400
     * @param geminiFlexModels                  model id prefixes that offer Gemini's Flex tier
     *                                          ({@code serviceTier: "flex"}); another model answers 400
     * @param flexLatencyMin                    flex answers wait a time drawn uniformly from
     *                                          [{@code flexLatencyMin}, {@code flexLatencyMax}] at the default speed
     *                                          (100 lines/s), scaled by {@code 100 / linesPerSecond} when faster
     *                                          ({@link Speed#fast()}: 1/100)
     * @param flexLatencyMax                    see {@code flexLatencyMin}
     * @param flexLatencyCap                    the most a flex answer ever waits, after scaling (a real sleep)
     * @param flexShedProbability               chance (0..1) that a flex call is shed (OpenAI 429
     *                                          {@code resource_unavailable}, Gemini 503) instead of answered
     */
    public record Choices(boolean openAiCountUnfinishedAsFailed, boolean geminiCancelKeepsFinishedResults,
                          int anthropicMinCacheableTokens, int anthropicCancelEndedStatus,
                          Duration openAiCacheIdle, Duration openAiCacheMaxAge,
                          List<String> openAiExtendedRetentionModels, boolean geminiImplicitCaching,
                          Duration geminiImplicitCacheIdle, List<String> openAiFlexModels,
                          List<String> geminiFlexModels, Duration flexLatencyMin, Duration flexLatencyMax,
                          Duration flexLatencyCap, double flexShedProbability) {
        /** OpenAI's flex models per the flex guide and pricing page (2025-2026): o3, o4-mini, the gpt-5 family. */
        public static final List<String> OPENAI_FLEX_MODELS = List.of("o3", "o4-mini", "gpt-5");
        /** Gemini Flex models [unconfirmed]: the 2.5 and 3 families (the guide's examples use Gemini 3 Flash). */
        public static final List<String> GEMINI_FLEX_MODELS = List.of("gemini-2.5", "gemini-3");

        public Choices {
            openAiExtendedRetentionModels = List.copyOf(openAiExtendedRetentionModels);
            openAiFlexModels = List.copyOf(openAiFlexModels);
            geminiFlexModels = List.copyOf(geminiFlexModels);
        }

        /** The choices before the synchronous endpoints, with their flex defaults. */
        public Choices(boolean openAiCountUnfinishedAsFailed, boolean geminiCancelKeepsFinishedResults,
                       int anthropicMinCacheableTokens, int anthropicCancelEndedStatus,
                       Duration openAiCacheIdle, Duration openAiCacheMaxAge,
                       List<String> openAiExtendedRetentionModels, boolean geminiImplicitCaching,
                       Duration geminiImplicitCacheIdle) {
            this(openAiCountUnfinishedAsFailed, geminiCancelKeepsFinishedResults, anthropicMinCacheableTokens,
                    anthropicCancelEndedStatus, openAiCacheIdle, openAiCacheMaxAge, openAiExtendedRetentionModels,
                    geminiImplicitCaching, geminiImplicitCacheIdle, OPENAI_FLEX_MODELS, GEMINI_FLEX_MODELS,
                    Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(5), 0.0);
        }

        public static Choices defaults() {
            return new Choices(true, false, 0, 400, Duration.ofMinutes(10), Duration.ofHours(1),
                    List.of("gpt-5", "gpt-4.1"), true, Duration.ofMinutes(5));
        }

        public Choices withAnthropicMinCacheableTokens(int tokens) {
            return new Choices(openAiCountUnfinishedAsFailed, geminiCancelKeepsFinishedResults, tokens,
                    anthropicCancelEndedStatus, openAiCacheIdle, openAiCacheMaxAge, openAiExtendedRetentionModels,
                    geminiImplicitCaching, geminiImplicitCacheIdle, openAiFlexModels, geminiFlexModels,
                    flexLatencyMin, flexLatencyMax, flexLatencyCap, flexShedProbability);
        }

        public Choices withGeminiImplicitCaching(boolean on) {
            return new Choices(openAiCountUnfinishedAsFailed, geminiCancelKeepsFinishedResults,
                    anthropicMinCacheableTokens, anthropicCancelEndedStatus, openAiCacheIdle, openAiCacheMaxAge,
                    openAiExtendedRetentionModels, on, geminiImplicitCacheIdle, openAiFlexModels, geminiFlexModels,
                    flexLatencyMin, flexLatencyMax, flexLatencyCap, flexShedProbability);
        }

        public Choices withOpenAiCache(Duration idle, Duration maxAge) {
            return new Choices(openAiCountUnfinishedAsFailed, geminiCancelKeepsFinishedResults,
                    anthropicMinCacheableTokens, anthropicCancelEndedStatus, idle, maxAge,
                    openAiExtendedRetentionModels, geminiImplicitCaching, geminiImplicitCacheIdle, openAiFlexModels,
                    geminiFlexModels, flexLatencyMin, flexLatencyMax, flexLatencyCap, flexShedProbability);
        }

        /** Flex latency range (before scaling by speed) and shedding probability. */
        public Choices withFlex(Duration latencyMin, Duration latencyMax, double shedProbability) {
            return new Choices(openAiCountUnfinishedAsFailed, geminiCancelKeepsFinishedResults,
                    anthropicMinCacheableTokens, anthropicCancelEndedStatus, openAiCacheIdle, openAiCacheMaxAge,
                    openAiExtendedRetentionModels, geminiImplicitCaching, geminiImplicitCacheIdle, openAiFlexModels,
                    geminiFlexModels, latencyMin, latencyMax, flexLatencyCap, shedProbability);
        }

        public Choices withFlexLatencyCap(Duration cap) {
            return new Choices(openAiCountUnfinishedAsFailed, geminiCancelKeepsFinishedResults,
                    anthropicMinCacheableTokens, anthropicCancelEndedStatus, openAiCacheIdle, openAiCacheMaxAge,
                    openAiExtendedRetentionModels, geminiImplicitCaching, geminiImplicitCacheIdle, openAiFlexModels,
                    geminiFlexModels, flexLatencyMin, flexLatencyMax, cap, flexShedProbability);
        }

        /** Model id prefixes offering the flex tier, per provider. */
        public Choices withFlexModels(List<String> openAi, List<String> gemini) {
            return new Choices(openAiCountUnfinishedAsFailed, geminiCancelKeepsFinishedResults,
                    anthropicMinCacheableTokens, anthropicCancelEndedStatus, openAiCacheIdle, openAiCacheMaxAge,
                    openAiExtendedRetentionModels, geminiImplicitCaching, geminiImplicitCacheIdle, openAi, gemini,
                    flexLatencyMin, flexLatencyMax, flexLatencyCap, flexShedProbability);
        }
    }

    public static EmulatorConfig defaults() {
        return new EmulatorConfig("127.0.0.1", 0, Speed.defaults(), null, null, InstantSource.system(), null,
                Choices.defaults(), ModelCatalog.shipped());
    }

    public EmulatorConfig withHost(String h) {
        return new EmulatorConfig(h, port, speed, requiredKey, dataDir, clock, publicBaseUrl, choices, models);
    }

    public EmulatorConfig withPort(int p) {
        return new EmulatorConfig(host, p, speed, requiredKey, dataDir, clock, publicBaseUrl, choices, models);
    }

    public EmulatorConfig withSpeed(Speed s) {
        return new EmulatorConfig(host, port, s, requiredKey, dataDir, clock, publicBaseUrl, choices, models);
    }

    public EmulatorConfig withRequiredKey(String k) {
        return new EmulatorConfig(host, port, speed, k, dataDir, clock, publicBaseUrl, choices, models);
    }

    public EmulatorConfig withDataDir(Path d) {
        return new EmulatorConfig(host, port, speed, requiredKey, d, clock, publicBaseUrl, choices, models);
    }

    public EmulatorConfig withClock(InstantSource c) {
        return new EmulatorConfig(host, port, speed, requiredKey, dataDir, c, publicBaseUrl, choices, models);
    }

    public EmulatorConfig withPublicBaseUrl(String u) {
        return new EmulatorConfig(host, port, speed, requiredKey, dataDir, clock, u, choices, models);
    }

    public EmulatorConfig withChoices(Choices c) {
        return new EmulatorConfig(host, port, speed, requiredKey, dataDir, clock, publicBaseUrl, c, models);
    }

    public EmulatorConfig withModels(ModelCatalog m) {
        return new EmulatorConfig(host, port, speed, requiredKey, dataDir, clock, publicBaseUrl, choices, m);
    }

    /** Throws one exception naming every bad value; never clamps. */
    public EmulatorConfig validate() {
        List<String> bad = new ArrayList<>();
        if (port < 0 || port > 65535) {
            bad.add("Invalid value " + port + " for port: must be 0..65535");
        }
        if (speed == null) {
            bad.add("speed must be set");
        } else {
            if (!(speed.linesPerSecond() > 0)) {
                bad.add("Invalid value " + speed.linesPerSecond() + " for lines-per-second: must be > 0");
            }
            checkNotNegative(bad, "turnaround", speed.turnaround());
            checkNotNegative(bad, "validation-delay", speed.validationDelay());
            checkNotNegative(bad, "finalize-delay", speed.finalizeDelay());
            checkNotNegative(bad, "cancel-drain", speed.cancelDrain());
        }
        if (requiredKey != null && requiredKey.isBlank()) {
            bad.add("Invalid value '' for require-key: must be non-empty when set");
        }
        if (clock == null) {
            bad.add("clock must be set");
        }
        if (choices == null) {
            bad.add("choices must be set");
        } else {
            if (choices.anthropicMinCacheableTokens() < 0) {
                bad.add("Invalid value " + choices.anthropicMinCacheableTokens() + " for anthropic-min-cacheable-tokens");
            }
            checkNotNegative(bad, "openai-cache-idle", choices.openAiCacheIdle());
            checkNotNegative(bad, "openai-cache-max-age", choices.openAiCacheMaxAge());
            checkNotNegative(bad, "gemini-implicit-cache-idle", choices.geminiImplicitCacheIdle());
            checkNotNegative(bad, "flex-latency-min", choices.flexLatencyMin());
            checkNotNegative(bad, "flex-latency-max", choices.flexLatencyMax());
            checkNotNegative(bad, "flex-latency-cap", choices.flexLatencyCap());
            if (choices.flexLatencyMin() != null && choices.flexLatencyMax() != null
                    && choices.flexLatencyMax().compareTo(choices.flexLatencyMin()) < 0) {
                bad.add("Invalid value " + choices.flexLatencyMax() + " for flex-latency-max: must be >= flex-latency-min "
                        + choices.flexLatencyMin());
            }
            if (!(choices.flexShedProbability() >= 0 && choices.flexShedProbability() <= 1)) {
                bad.add("Invalid value " + choices.flexShedProbability() + " for flex-shed-probability: must be 0..1");
            }
        }
        if (models == null) {
            bad.add("models must be set");
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", bad));
        }
        return this;
    }

    private static void checkNotNegative(List<String> bad, String name, Duration d) {
        if (d == null || d.isNegative()) {
            bad.add("Invalid value " + d + " for " + name + ": must be >= 0");
        }
    }

    /** For logs: the key itself never appears. */
    @Override
    public String toString() {
        return "EmulatorConfig[host=" + host + ", port=" + port + ", speed=" + speed
                + ", requiredKey=" + (requiredKey == null ? "<any>" : "****") + ", dataDir=" + dataDir
                + ", clock=" + clock.getClass().getSimpleName() + ", publicBaseUrl=" + publicBaseUrl
                + ", choices=" + choices + ", models=" + models + "]";
    }
}
