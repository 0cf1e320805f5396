package dev.offpeak.emulator;

import dev.offpeak.config.EnvReader;
import dev.offpeak.schemas.pricing.ModelRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs the emulator standalone: parse flags, build the config, start, wait for shutdown. */
@Command(name = "provider-emulator", mixinStandardHelpOptions = true,
        description = "Wire-faithful emulator of the OpenAI, Anthropic and Gemini batch APIs on one port.")
public final class EmulatorMain implements Callable<Integer> {
    /** The only environment key the emulator reads: the API key to require, kept out of process listings. */
    public static final String REQUIRE_KEY = "EMULATOR_REQUIRE_KEY";

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8089", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--lines-per-second", defaultValue = "100", description = "Lines finished per second per batch.")
    double linesPerSecond;

    @Option(names = "--turnaround", defaultValue = "PT30S",
            description = "Minimum running time of any batch, ISO-8601 (e.g. PT0S, PT30S, PT1H).")
    Duration turnaround;

    @Option(names = "--validation-delay", defaultValue = "PT2S", description = "Time in validating/PENDING.")
    Duration validationDelay;

    @Option(names = "--finalize-delay", defaultValue = "PT2S", description = "Time in OpenAI finalizing.")
    Duration finalizeDelay;

    @Option(names = "--cancel-drain", defaultValue = "PT5S", description = "Time from cancel to cancelled.")
    Duration cancelDrain;

    @Option(names = "--fast", description = "Demo speed: 10,000 lines/s, no turnaround, 200 ms phases.")
    boolean fast;

    @Option(names = "--require-key", description = "Accept only this API key (default: any non-empty key). "
            + "Prefer the EMULATOR_REQUIRE_KEY environment variable, which stays out of process listings.")
    String requireKey;

    @Option(names = "--manual-clock", description = "Freeze time; move it with POST /_emulator/clock/advance.")
    boolean manualClock;

    @Option(names = "--data-dir", description = "Where files and the journal of batches are kept; started again on the same folder, the "
            + "emulator knows every earlier batch and file (default: a temp dir removed on exit).")
    Path dataDir;

    @Option(names = "--public-base-url", description = "Base URL put into results_url and file uris.")
    String publicBaseUrl;

    @Option(names = "--model-registry", description = "Override file applied over Offpeak's model registry (the format of "
            + "schemas' registry/offpeak.json), e.g. to serve a model it lacks; unknown models are refused.")
    Path modelRegistry;

    @Option(names = "--flex-latency", defaultValue = "PT5S..PT60S", description = "Flex-tier answer latency range "
            + "at 100 lines/s, MIN..MAX as ISO-8601 durations; scaled by 100 / lines-per-second when faster "
            + "(default: ${DEFAULT-VALUE}).")
    String flexLatency;

    @Option(names = "--flex-shed-probability", defaultValue = "0", description = "Chance (0..1) that a flex-tier "
            + "call is shed: OpenAI 429 resource_unavailable, Gemini 503 (default: ${DEFAULT-VALUE}).")
    double flexShedProbability;

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.javalin", "warn");
        System.exit(new CommandLine(new EmulatorMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        String key = requireKey != null ? requireKey : new EnvReader(System.getenv()).string(REQUIRE_KEY, null);
        EmulatorConfig.Speed speed = fast ? EmulatorConfig.Speed.fast()
                : new EmulatorConfig.Speed(linesPerSecond, turnaround, validationDelay, finalizeDelay, cancelDrain);
        EmulatorConfig config = EmulatorConfig.defaults().withHost(host).withPort(port).withSpeed(speed)
                .withRequiredKey(key == null || key.isEmpty() ? null : key).withDataDir(dataDir)
                .withPublicBaseUrl(publicBaseUrl)
                .withModels(modelRegistry == null ? ModelCatalog.shipped()
                        : ModelCatalog.of(ModelRegistry.load(Optional.of(modelRegistry))))
                .withClock(manualClock ? ManualClock.startingAt2026() : InstantSource.system());
        String[] range = flexLatency.split("\\.\\.", 2);
        java.time.Duration flexMin = java.time.Duration.parse(range[0].trim());
        java.time.Duration flexMax = range.length > 1 ? java.time.Duration.parse(range[1].trim()) : flexMin;
        config = config.withChoices(config.choices().withFlex(flexMin, flexMax, flexShedProbability));
        ProviderEmulator emulator = ProviderEmulator.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }, "emulator-shutdown"));
        System.out.println("provider-emulator listening on " + emulator.baseUrl()
                + "  (OpenAI " + emulator.openAiBaseUrl() + ", Anthropic " + emulator.anthropicBaseUrl()
                + ", Gemini " + emulator.geminiBaseUrl() + ", admin " + emulator.baseUrl() + AdminRoutes.BASE + ")");
        stopped.await();
        return 0;
    }
}
