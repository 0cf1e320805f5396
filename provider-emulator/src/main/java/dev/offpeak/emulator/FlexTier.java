package dev.offpeak.emulator;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The flex tier of the synchronous endpoints (OpenAI {@code service_tier: "flex"}, Gemini
 * {@code serviceTier: "flex"}): which models offer it, how long an answer takes, and whether a call is
 * shed for lack of capacity. OpenAI's flex guide (https://platform.openai.com/docs/guides/flex-processing)
 * promises "slower response times and occasional resource unavailability" (429 Resource Unavailable);
 * Gemini's (https://ai.google.dev/gemini-api/docs/flex-inference) "variable latency and best-effort
 * availability" on "sheddable" capacity. The emulator draws the latency uniformly from
 * {@link EmulatorConfig.Choices#flexLatencyMin()}..{@link EmulatorConfig.Choices#flexLatencyMax()}, scales
 * it by the configured speed (100 lines/s is 1:1, {@link EmulatorConfig.Speed#fast()} is 1:100) and caps it,
 * then really waits that long before answering: a flex call is slow on the wall clock whatever the
 * emulator's clock is, as a client's timeout sees it. Sheds come from {@link Faults#shedNextFlex} first,
 * then from {@link EmulatorConfig.Choices#flexShedProbability()}.
 */
public final class FlexTier {
    private final EmulatorConfig config;
    private final Faults faults;

    FlexTier(EmulatorConfig config, Faults faults) {
        this.config = config;
        this.faults = faults;
    }

    /** Whether the model (as the request named it, or its catalog id) offers flex. */
    public boolean offered(Provider provider, String model) {
        List<String> prefixes = provider == Provider.GEMINI ? config.choices().geminiFlexModels()
                : provider == Provider.OPENAI ? config.choices().openAiFlexModels() : List.of();
        String id = config.models().find(provider, model).map(ModelCatalog.Model::id).orElse(model);
        return prefixes.stream().anyMatch(p -> model.startsWith(p) || id.startsWith(p));
    }

    /** Whether this flex call is shed: an armed shed of the provider first, else the configured chance. */
    public boolean shed(Provider provider) {
        if (faults.takeFlexShed(provider)) {
            return true;
        }
        double p = config.choices().flexShedProbability();
        return p > 0 && ThreadLocalRandom.current().nextDouble() < p;
    }

    /** A latency drawn for one flex answer, scaled by the speed and capped. */
    public Duration latency() {
        EmulatorConfig.Choices c = config.choices();
        long min = c.flexLatencyMin().toMillis();
        long max = c.flexLatencyMax().toMillis();
        long drawn = max > min ? ThreadLocalRandom.current().nextLong(min, max + 1) : min;
        double scale = Math.min(1.0, 100.0 / config.speed().linesPerSecond());
        long scaled = Math.round(drawn * scale);
        return Duration.ofMillis(Math.min(scaled, c.flexLatencyCap().toMillis()));
    }

    /** Waits out a flex latency (a real sleep, on the request's virtual thread). */
    public void await() throws InterruptedException {
        long ms = latency().toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }
}
