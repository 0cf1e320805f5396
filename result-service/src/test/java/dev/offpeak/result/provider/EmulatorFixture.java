package dev.offpeak.result.provider;

import dev.offpeak.emulator.EmulatorConfig;
import dev.offpeak.emulator.ManualClock;
import dev.offpeak.emulator.ProviderEmulator;
import dev.offpeak.schemas.events.Provider;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** One in-process emulator per test class, on a manual clock, with a required key. */
final class EmulatorFixture implements AutoCloseable {
    static final String KEY = "sk-test-emulator-key-0123456789";
    static final String WRONG_KEY = "sk-wrong-key-9876543210";

    final ManualClock clock = ManualClock.startingAt2026();
    final ProviderEmulator emulator = ProviderEmulator.start(
            EmulatorConfig.defaults().withClock(clock).withRequiredKey(KEY));
    private final List<AutoCloseable> clients = new ArrayList<>();

    URI baseUrl(Provider p) {
        return URI.create(switch (p) {
            case OPENAI -> emulator.openAiBaseUrl();
            case ANTHROPIC -> emulator.anthropicBaseUrl();
            case GEMINI -> emulator.geminiBaseUrl();
        });
    }

    BatchProviderClient client(Provider p) {
        return client(p, KEY, ProviderEndpoint.Timeouts.defaults());
    }

    BatchProviderClient client(Provider p, String key, ProviderEndpoint.Timeouts timeouts) {
        BatchProviderClient c = ProviderClients.create(p, new ProviderEndpoint(baseUrl(p), key, timeouts),
                InstantSource.system());
        clients.add((AutoCloseable) c);
        return c;
    }

    /** Moves the emulator's clock far enough for any small batch to finish (or expire, or drain a cancel). */
    void finishEverything() {
        emulator.advanceClock(Duration.ofHours(1));
    }

    Instant now() {
        return clock.instant();
    }

    static BatchSubmission submission(String pipelineBatchId, String endpoint, String model, int lines,
            IntFunction<String> line) {
        return new BatchSubmission(pipelineBatchId, endpoint, model, lines, 0, consumer -> {
            for (int i = 0; i < lines; i++) {
                consumer.accept(line.apply(i));
            }
        });
    }

    static List<ResultLine> collect(BatchProviderClient client, ProviderBatch batch) {
        List<ResultLine> lines = new ArrayList<>();
        Outcome<Void> o = client.streamResults(batch, lines::add);
        if (!o.isOk()) {
            throw new AssertionError("streamResults: " + o);
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        emulator.close();
    }
}
