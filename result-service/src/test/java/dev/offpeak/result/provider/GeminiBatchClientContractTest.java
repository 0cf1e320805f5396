package dev.offpeak.result.provider;

import static dev.offpeak.result.provider.EmulatorFixture.collect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.emulator.Operations;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.schemas.events.Provider;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GeminiBatchClient against the in-process emulator: every state and every injected fault. */
class GeminiBatchClientContractTest extends EmulatorContractTest {
    private static final dev.offpeak.emulator.Provider EMU = dev.offpeak.emulator.Provider.GEMINI;
    private static final String MODEL = "gemini-2.5-flash";

    @Override
    Provider provider() {
        return Provider.GEMINI;
    }

    /** Line i has maxOutputTokens 0 when i is in {@code bad}: an INVALID_ARGUMENT error line. */
    private static BatchSubmission generate(String id, int lines, int... bad) {
        return EmulatorFixture.submission(id, "generateContent", MODEL, lines, i -> {
            int max = java.util.Arrays.stream(bad).anyMatch(b -> b == i) ? 0 : 16;
            return "{\"key\":\"" + id + "-" + i + "\",\"request\":{\"contents\":[{\"role\":\"user\",\"parts\":"
                    + "[{\"text\":\"Classify review " + i + "\"}]}],\"generationConfig\":{\"maxOutputTokens\":" + max
                    + "}}}";
        });
    }

    @Test
    void createPollToSucceededAndStreamTheResponsesFile() {
        ProviderBatch b = client.create(generate("pb-ok", 4, 2)).orElseThrow();
        assertThat(b.id()).startsWith("batches/");
        assertThat(b.state()).isEqualTo(BatchState.VALIDATING);
        assertThat(b.pipelineBatchId()).isEqualTo("pb-ok");
        fx.emulator.advanceClock(Duration.ofSeconds(3));
        assertThat(poll(b).state()).isEqualTo(BatchState.IN_PROGRESS);
        fx.finishEverything();
        ProviderBatch done = poll(b);
        assertThat(done.state()).isEqualTo(BatchState.COMPLETED);
        assertThat(done.outputFileId()).startsWith("files/");

        List<ResultLine> lines = collect(client, done);
        assertThat(lines).hasSize(4);
        assertThat(lines).filteredOn(l -> l.outcome() == LineOutcome.SUCCEEDED).hasSize(3)
                .allSatisfy(l -> assertThat(l.usage().inputTokens()).isPositive());
        assertThat(lines).filteredOn(l -> l.outcome() == LineOutcome.ERRORED).singleElement().satisfies(l -> {
            assertThat(l.requestId()).isEqualTo("pb-ok-2");
            assertThat(l.httpStatus()).isEqualTo(400);
            assertThat(l.retryable()).isFalse();
        });
    }

    @Test
    void expiredJobHasNoResultsAtAll() {
        fx.emulator.faults().expireNextBatchAfterLines(EMU, 1);
        ProviderBatch b = client.create(generate("pb-exp", 3)).orElseThrow();
        fx.finishEverything();
        ProviderBatch expired = poll(b);
        assertThat(expired.state()).isEqualTo(BatchState.EXPIRED);
        assertThat(collect(client, expired)).isEmpty();
    }

    @Test
    void cancelEndsCancelled() {
        ProviderBatch b = client.create(generate("pb-cancel", 3)).orElseThrow();
        assertThat(client.cancel(b.id()).orElseThrow().state().terminal()).isFalse();
        fx.finishEverything();
        ProviderBatch cancelled = poll(b);
        assertThat(cancelled.state()).isEqualTo(BatchState.CANCELLED);
        assertThat(collect(client, cancelled)).isEmpty();
        assertThat(client.cancel(b.id())).isInstanceOf(Outcome.Failed.class);
    }

    @Test
    void everyLineFailedIsRetryable() {
        fx.emulator.faults().failAllLinesOfNextBatch(EMU);
        ProviderBatch b = client.create(generate("pb-allfail", 3)).orElseThrow();
        fx.finishEverything();
        assertThat(collect(client, poll(b))).hasSize(3)
                .allMatch(l -> l.outcome() == LineOutcome.ERRORED && l.retryable() && l.httpStatus() == 500);
    }

    @Test
    void enqueuedTokenQuotaIsA429AtCreate() {
        fx.emulator.faults().setEnqueuedTokenQuota(EMU, MODEL, 5);
        assertThat(client.create(generate("pb-quota", 3))).isInstanceOfSatisfying(Outcome.RetryLater.class, r -> {
            assertThat(r.httpStatus()).isEqualTo(429);
            assertThat(r.reason()).contains("RESOURCE_EXHAUSTED");
        });
        assertThat(fx.emulator.counters().batchesCreated(EMU)).isZero();
    }

    @Test
    void rateLimitAndServerErrorsAreRetryLaterWithRetryInfo() {
        fx.emulator.faults().failNext(EMU, Operations.CREATE_BATCH, 1, 429, Duration.ofSeconds(3));
        assertThat(client.create(generate("pb-429", 1))).isInstanceOfSatisfying(Outcome.RetryLater.class, r -> {
            assertThat(r.after()).isEqualTo(Duration.ofSeconds(3));
            assertThat(r.httpStatus()).isEqualTo(429);
        });
        ProviderBatch b = client.create(generate("pb-5xx", 1)).orElseThrow();
        fx.emulator.faults().failNext(EMU, Operations.GET_BATCH, 1, 503, null);
        assertThat(client.get(b.id())).isInstanceOfSatisfying(Outcome.RetryLater.class,
                r -> assertThat(r.httpStatus()).isEqualTo(503));
        fx.finishEverything();
        ProviderBatch done = poll(b);
        fx.emulator.faults().failNext(EMU, Operations.FILE_CONTENT, 1, 500, null);
        assertThat(client.streamResults(done, l -> {})).isInstanceOf(Outcome.RetryLater.class);
        assertThat(collect(client, done)).hasSize(1);
    }

    @Test
    void slowAnswersTimeOutAsRetryLater() {
        BatchProviderClient impatient = fx.client(Provider.GEMINI, EmulatorFixture.KEY,
                new ProviderEndpoint.Timeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(5)));
        ProviderBatch b = client.create(generate("pb-slow", 1)).orElseThrow();
        fx.emulator.faults().slowNext(EMU, Operations.GET_BATCH, 1, Duration.ofSeconds(2));
        assertThat(impatient.get(b.id())).isInstanceOfSatisfying(Outcome.RetryLater.class,
                r -> assertThat(r.reason()).contains("timed out"));
    }

    @Test
    void wrongKeyIsFailedAndTheKeyIsNowhereInTheReason() {
        BatchProviderClient wrong = fx.client(Provider.GEMINI, EmulatorFixture.WRONG_KEY,
                ProviderEndpoint.Timeouts.defaults());
        assertThat(wrong.create(generate("pb-401", 1))).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.httpStatus()).isEqualTo(400);
            assertThat(f.reason()).contains("API key not valid").doesNotContain(EmulatorFixture.WRONG_KEY);
        });
    }

    @Test
    void findCreatedPagesThroughTheListAndMatchesTheDisplayName() {
        ProviderBatch lost = client.create(generate("pb-lost", 1)).orElseThrow();
        for (int i = 0; i < 102; i++) {
            client.create(generate("pb-other-" + i, 1)).orElseThrow();
        }
        assertThat(client.findCreated("pb-lost", fx.now(), 1).orElseThrow()).map(ProviderBatch::id)
                .contains(lost.id());
        assertThat(client.findCreated("pb-never", fx.now(), 1).orElseThrow()).isEmpty();
    }
}
