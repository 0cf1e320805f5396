package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 20,000-line batch goes through create from a lazily generated line source: the lines pass
 * through a spool file on disk (deleted afterwards) and reach the provider whole, so no step needs
 * the batch in the heap.
 */
class LargeBatchIT {
    private static final int LINES = 20_000;
    private static EmulatorFixture fx;

    @BeforeAll
    static void start() {
        fx = new EmulatorFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static long spoolFiles() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("offpeak-pb-large")).count();
        }
    }

    @Test
    void twentyThousandLinesAreStreamedThroughASpoolFile() throws Exception {
        AtomicLong generated = new AtomicLong();
        String padding = "x".repeat(400);
        BatchSubmission large = new BatchSubmission("pb-large", "/v1/chat/completions", "gpt-4o-mini", LINES, 0,
                consumer -> {
                    for (int i = 0; i < LINES; i++) {
                        generated.incrementAndGet();
                        consumer.accept("{\"custom_id\":\"pb-large-" + i + "\",\"method\":\"POST\","
                                + "\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"max_tokens\":4,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + i + padding + "\"}]}}");
                    }
                });
        BatchProviderClient client = fx.client(Provider.OPENAI);

        ProviderBatch b = client.create(large).orElseThrow();

        assertThat(generated).hasValue(LINES);
        assertThat(spoolFiles()).isZero();
        fx.emulator.advanceClock(Duration.ofSeconds(3));
        ProviderBatch running = client.get(b.id()).orElseThrow();
        assertThat(running.state()).isEqualTo(BatchState.IN_PROGRESS);
        assertThat(running.requestTotal()).isEqualTo(LINES);
    }
}
