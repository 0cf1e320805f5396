package dev.offpeak.result.provider;

import static dev.offpeak.result.provider.EmulatorFixture.collect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.emulator.Operations;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.schemas.events.Provider;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** OpenAiBatchClient against the in-process emulator: every state and every injected fault. */
class OpenAiBatchClientContractTest extends EmulatorContractTest {
    private static final dev.offpeak.emulator.Provider EMU = dev.offpeak.emulator.Provider.OPENAI;
    private static final String MODEL = "gpt-4o-mini";

    @Override
    Provider provider() {
        return Provider.OPENAI;
    }

    /** Line i asks for max_tokens 0 when i is in {@code bad}: the endpoint answers it with a 400. */
    private static BatchSubmission chat(String id, int lines, int... bad) {
        return EmulatorFixture.submission(id, "/v1/chat/completions", MODEL, lines, i -> {
            int maxTokens = java.util.Arrays.stream(bad).anyMatch(b -> b == i) ? 0 : 16;
            return "{\"custom_id\":\"" + id + "-" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                    + "\"body\":{\"model\":\"" + MODEL + "\",\"max_tokens\":" + maxTokens
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"Classify review number " + i + "\"}]}}";
        });
    }

    private ProviderBatch created(BatchSubmission s) {
        return client.create(s).orElseThrow();
    }

    @Test
    void createPollToCompletedAndStreamEveryLine() {
        ProviderBatch b = created(chat("pb-ok", 5, 3));
        assertThat(b.state()).isEqualTo(BatchState.VALIDATING);
        assertThat(b.pipelineBatchId()).isEqualTo("pb-ok");
        assertThat(fx.emulator.counters().batchesCreated(EMU)).isEqualTo(1);

        fx.emulator.advanceClock(Duration.ofSeconds(3));
        assertThat(poll(b).state()).isEqualTo(BatchState.IN_PROGRESS);
        fx.finishEverything();
        ProviderBatch done = poll(b);
        assertThat(done.state()).isEqualTo(BatchState.COMPLETED);
        assertThat(done.requestTotal()).isEqualTo(5);
        assertThat(done.outputFileId()).isNotNull();
        assertThat(done.errorFileId()).isNotNull();

        List<ResultLine> lines = collect(client, done);
        assertThat(lines).hasSize(5);
        assertThat(lines).filteredOn(l -> l.outcome() == LineOutcome.SUCCEEDED).hasSize(4)
                .allSatisfy(l -> {
                    assertThat(l.usage().inputTokens()).isPositive();
                    assertThat(l.usage().outputTokens()).isPositive();
                    assertThat(l.response().path("object").asText()).isEqualTo("chat.completion");
                });
        assertThat(lines).filteredOn(l -> l.outcome() == LineOutcome.ERRORED).singleElement().satisfies(l -> {
            assertThat(l.requestId()).isEqualTo("pb-ok-3");
            assertThat(l.httpStatus()).isEqualTo(400);
            assertThat(l.retryable()).isFalse();
        });
    }

    @Test
    void expiryKeepsTheFinishedLinesAndMarksTheRestRetryable() {
        fx.emulator.faults().expireNextBatchAfterLines(EMU, 2);
        ProviderBatch b = created(chat("pb-exp", 5));
        fx.finishEverything();
        ProviderBatch expired = poll(b);
        assertThat(expired.state()).isEqualTo(BatchState.EXPIRED);
        List<ResultLine> lines = collect(client, expired);
        assertThat(lines).extracting(ResultLine::outcome)
                .containsExactlyInAnyOrder(LineOutcome.SUCCEEDED, LineOutcome.SUCCEEDED,
                        LineOutcome.EXPIRED, LineOutcome.EXPIRED, LineOutcome.EXPIRED);
        assertThat(lines).filteredOn(l -> l.outcome() == LineOutcome.EXPIRED).allMatch(ResultLine::retryable);
    }

    @Test
    void cancelGoesThroughCancellingToCancelledWithUnstartedLinesCancelled() {
        ProviderBatch b = created(chat("pb-cancel", 4));
        fx.emulator.advanceClock(Duration.ofSeconds(3));
        ProviderBatch cancelling = client.cancel(b.id()).orElseThrow();
        assertThat(cancelling.state()).isEqualTo(BatchState.CANCELLING);
        fx.finishEverything();
        ProviderBatch cancelled = poll(b);
        assertThat(cancelled.state()).isEqualTo(BatchState.CANCELLED);
        List<ResultLine> lines = collect(client, cancelled);
        assertThat(lines).hasSize(4).allMatch(l -> l.outcome() == LineOutcome.CANCELLED && l.retryable());

        // a second cancel on a terminal batch is a 409: nothing left to cancel, not worth retrying
        assertThat(client.cancel(b.id())).isInstanceOfSatisfying(Outcome.Failed.class,
                f -> assertThat(f.httpStatus()).isEqualTo(409));
    }

    @Test
    void everyLineFailedCompletesWithNoOutputFile() {
        fx.emulator.faults().failAllLinesOfNextBatch(EMU);
        ProviderBatch b = created(chat("pb-allfail", 3));
        fx.finishEverything();
        ProviderBatch done = poll(b);
        assertThat(done.state()).isEqualTo(BatchState.COMPLETED);
        assertThat(done.outputFileId()).isNull();
        assertThat(done.errorFileId()).isNotNull();
        List<ResultLine> lines = collect(client, done);
        assertThat(lines).hasSize(3).allSatisfy(l -> {
            assertThat(l.outcome()).isEqualTo(LineOutcome.ERRORED);
            assertThat(l.httpStatus()).isEqualTo(500);
            assertThat(l.retryable()).isTrue();
        });
    }

    @Test
    void enqueuedTokenQuotaSurfacesAsTokenLimitExceeded() {
        fx.emulator.faults().setEnqueuedTokenQuota(EMU, MODEL, 10);
        ProviderBatch b = created(chat("pb-quota", 3));
        fx.finishEverything();
        ProviderBatch failed = poll(b);
        assertThat(failed.state()).isEqualTo(BatchState.FAILED);
        assertThat(failed.tokenLimitExceeded()).isTrue();
        assertThat(collect(client, failed)).isEmpty();
    }

    @Test
    void rateLimitOnUploadAndCreateIsRetryLaterWithTheProvidersDelay() {
        fx.emulator.faults().failNext(EMU, Operations.UPLOAD_FILE, 1, 429, Duration.ofSeconds(7));
        assertThat(client.create(chat("pb-429", 2))).isInstanceOfSatisfying(Outcome.RetryLater.class, r -> {
            assertThat(r.after()).isEqualTo(Duration.ofSeconds(7));
            assertThat(r.httpStatus()).isEqualTo(429);
            assertThat(r.reason()).contains("upload_file");
        });
        fx.emulator.faults().failNext(EMU, Operations.CREATE_BATCH, 1, 429, Duration.ofMillis(1500));
        assertThat(client.create(chat("pb-429", 2))).isInstanceOfSatisfying(Outcome.RetryLater.class, r -> {
            assertThat(r.after()).isEqualTo(Duration.ofMillis(1500));
            assertThat(r.reason()).contains("create_batch");
        });
        assertThat(fx.emulator.counters().batchesCreated(EMU)).isZero();
    }

    @Test
    void serverErrorsOnGetAndDownloadAreRetryLater() {
        ProviderBatch b = created(chat("pb-5xx", 2));
        fx.emulator.faults().failNext(EMU, Operations.GET_BATCH, 1, 503, null);
        assertThat(client.get(b.id())).isInstanceOfSatisfying(Outcome.RetryLater.class, r -> {
            assertThat(r.httpStatus()).isEqualTo(503);
            assertThat(r.after()).isNull();
        });
        fx.finishEverything();
        ProviderBatch done = poll(b);
        fx.emulator.faults().failNext(EMU, Operations.FILE_CONTENT, 1, 500, Duration.ofSeconds(2));
        assertThat(client.streamResults(done, l -> {})).isInstanceOfSatisfying(Outcome.RetryLater.class, r -> {
            assertThat(r.httpStatus()).isEqualTo(500);
            assertThat(r.after()).isEqualTo(Duration.ofSeconds(2));
        });
        assertThat(collect(client, done)).hasSize(2);
    }

    @Test
    void slowAnswersTimeOutAsRetryLater() {
        BatchProviderClient impatient = fx.client(Provider.OPENAI, EmulatorFixture.KEY,
                new ProviderEndpoint.Timeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(5)));
        ProviderBatch b = created(chat("pb-slow", 1));
        fx.emulator.faults().slowNext(EMU, Operations.GET_BATCH, 1, Duration.ofSeconds(2));
        assertThat(impatient.get(b.id())).isInstanceOfSatisfying(Outcome.RetryLater.class, r -> {
            assertThat(r.httpStatus()).isZero();
            assertThat(r.reason()).contains("timed out");
        });
    }

    @Test
    void wrongKeyIsFailedAndTheKeyIsNowhereInTheReason() {
        BatchProviderClient wrong = fx.client(Provider.OPENAI, EmulatorFixture.WRONG_KEY,
                ProviderEndpoint.Timeouts.defaults());
        Outcome<ProviderBatch> o = wrong.create(chat("pb-401", 1));
        assertThat(o).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.httpStatus()).isEqualTo(401);
            assertThat(f.reason()).doesNotContain(EmulatorFixture.WRONG_KEY).doesNotContain("9876543210");
        });
        assertThat(wrong.get("batch_unknown")).isInstanceOf(Outcome.Failed.class);
    }

    @Test
    void unknownBatchIsFailed404() {
        assertThat(client.get("batch_00000000000000000000000000000000"))
                .isInstanceOfSatisfying(Outcome.Failed.class, f -> assertThat(f.httpStatus()).isEqualTo(404));
    }

    @Test
    void findCreatedPagesThroughTheListAndMatchesMetadata() {
        ProviderBatch wanted = created(chat("pb-lost", 1));
        for (int i = 0; i < 105; i++) {
            created(chat("pb-other-" + i, 1));
        }
        Optional<ProviderBatch> found = client.findCreated("pb-lost", fx.now(), 1).orElseThrow();
        assertThat(found).map(ProviderBatch::id).contains(wanted.id());
        assertThat(client.findCreated("pb-never", fx.now(), 1).orElseThrow()).isEmpty();
        assertThat(fx.emulator.counters().calls(EMU, Operations.LIST_BATCHES)).isGreaterThanOrEqualTo(4);
    }
}
