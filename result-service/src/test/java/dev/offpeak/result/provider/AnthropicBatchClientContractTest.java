package dev.offpeak.result.provider;

import static dev.offpeak.result.provider.EmulatorFixture.collect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.emulator.Operations;
import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.schemas.events.Provider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AnthropicBatchClient against the in-process emulator: every state and every injected fault. */
class AnthropicBatchClientContractTest extends EmulatorContractTest {
    private static final dev.offpeak.emulator.Provider EMU = dev.offpeak.emulator.Provider.ANTHROPIC;

    @Override
    Provider provider() {
        return Provider.ANTHROPIC;
    }

    /** Line i has max_tokens 0 when i is in {@code bad}: an errored invalid_request_error result. */
    private static BatchSubmission messages(String id, int lines, int... bad) {
        return EmulatorFixture.submission(id, "/v1/messages", "claude-haiku-4-5", lines, i -> {
            int maxTokens = java.util.Arrays.stream(bad).anyMatch(b -> b == i) ? 0 : 32;
            return "{\"custom_id\":\"" + id + "-" + i + "\",\"params\":{\"model\":\"claude-haiku-4-5\",\"max_tokens\":"
                    + maxTokens + ",\"messages\":[{\"role\":\"user\",\"content\":\"Classify review " + i + "\"}]}}";
        });
    }

    @Test
    void createPollToEndedAndStreamEveryLine() {
        ProviderBatch b = client.create(messages("pb-ok", 4, 1)).orElseThrow();
        assertThat(b.state()).isEqualTo(BatchState.IN_PROGRESS);
        assertThat(b.id()).startsWith("msgbatch_");
        assertThat(b.requestTotal()).isEqualTo(4);
        assertThat(b.resultsUrl()).isNull();
        fx.finishEverything();
        ProviderBatch ended = poll(b);
        assertThat(ended.state()).isEqualTo(BatchState.ENDED);
        assertThat(ended.resultsUrl()).isNotNull();

        List<ResultLine> lines = collect(client, ended);
        assertThat(lines).hasSize(4);
        assertThat(lines).filteredOn(l -> l.outcome() == LineOutcome.SUCCEEDED).hasSize(3)
                .allSatisfy(l -> assertThat(l.usage().inputTokens() + l.usage().outputTokens()).isPositive());
        assertThat(lines).filteredOn(l -> l.outcome() == LineOutcome.ERRORED).singleElement().satisfies(l -> {
            assertThat(l.requestId()).isEqualTo("pb-ok-1");
            assertThat(l.errorCode()).isEqualTo("invalid_request_error");
            assertThat(l.retryable()).isFalse();
        });
    }

    @Test
    void expiryEndsTheBatchWithExpiredLines() {
        fx.emulator.faults().expireNextBatchAfterLines(EMU, 1);
        ProviderBatch b = client.create(messages("pb-exp", 3)).orElseThrow();
        fx.finishEverything();
        ProviderBatch ended = poll(b);
        assertThat(ended.state()).isEqualTo(BatchState.ENDED);
        assertThat(collect(client, ended)).extracting(ResultLine::outcome)
                .containsExactlyInAnyOrder(LineOutcome.SUCCEEDED, LineOutcome.EXPIRED, LineOutcome.EXPIRED);
    }

    @Test
    void cancelGoesThroughCancelingToEndedWithCanceledLines() {
        ProviderBatch b = client.create(messages("pb-cancel", 3)).orElseThrow();
        assertThat(client.cancel(b.id()).orElseThrow().state()).isEqualTo(BatchState.CANCELLING);
        fx.finishEverything();
        ProviderBatch ended = poll(b);
        assertThat(ended.state()).isEqualTo(BatchState.ENDED);
        assertThat(collect(client, ended)).hasSize(3)
                .allMatch(l -> l.outcome() == LineOutcome.CANCELLED && l.retryable());
        assertThat(client.cancel(b.id())).isInstanceOf(Outcome.Failed.class);
    }

    @Test
    void everyLineFailedStillEndsAndEveryLineIsRetryable() {
        fx.emulator.faults().failAllLinesOfNextBatch(EMU);
        ProviderBatch b = client.create(messages("pb-allfail", 3)).orElseThrow();
        fx.finishEverything();
        assertThat(collect(client, poll(b))).hasSize(3)
                .allMatch(l -> l.outcome() == LineOutcome.ERRORED && l.retryable() && "api_error".equals(l.errorCode()));
    }

    @Test
    void rateLimitAndServerErrorsAreRetryLaterWithTheDelay() {
        fx.emulator.faults().failNext(EMU, Operations.CREATE_BATCH, 1, 429, Duration.ofSeconds(4));
        assertThat(client.create(messages("pb-429", 1))).isInstanceOfSatisfying(Outcome.RetryLater.class, r -> {
            assertThat(r.after()).isEqualTo(Duration.ofSeconds(4));
            assertThat(r.httpStatus()).isEqualTo(429);
            assertThat(r.reason()).contains("rate_limit_error");
        });
        assertThat(fx.emulator.counters().batchesCreated(EMU)).isZero();

        ProviderBatch b = client.create(messages("pb-5xx", 1)).orElseThrow();
        fx.emulator.faults().failNext(EMU, Operations.GET_BATCH, 1, 529, null);
        assertThat(client.get(b.id())).isInstanceOfSatisfying(Outcome.RetryLater.class,
                r -> assertThat(r.httpStatus()).isEqualTo(529));
        fx.finishEverything();
        ProviderBatch ended = poll(b);
        fx.emulator.faults().failNext(EMU, Operations.RESULTS, 1, 500, Duration.ofSeconds(1));
        assertThat(client.streamResults(ended, l -> {})).isInstanceOfSatisfying(Outcome.RetryLater.class,
                r -> assertThat(r.after()).isEqualTo(Duration.ofSeconds(1)));
        assertThat(collect(client, ended)).hasSize(1);
    }

    @Test
    void slowAnswersTimeOutAsRetryLater() {
        BatchProviderClient impatient = fx.client(Provider.ANTHROPIC, EmulatorFixture.KEY,
                new ProviderEndpoint.Timeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(5)));
        fx.emulator.faults().slowNext(EMU, Operations.LIST_BATCHES, 1, Duration.ofSeconds(2));
        assertThat(impatient.findCreated("pb", fx.now(), 1)).isInstanceOfSatisfying(Outcome.RetryLater.class,
                r -> assertThat(r.reason()).contains("timed out"));
    }

    @Test
    void wrongKeyIsFailedAndTheKeyIsNowhereInTheReason() {
        BatchProviderClient wrong = fx.client(Provider.ANTHROPIC, EmulatorFixture.WRONG_KEY,
                ProviderEndpoint.Timeouts.defaults());
        assertThat(wrong.create(messages("pb-401", 1))).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.httpStatus()).isEqualTo(401);
            assertThat(f.reason()).contains("authentication_error").doesNotContain(EmulatorFixture.WRONG_KEY);
        });
    }

    @Test
    void findCreatedMatchesCreationTimeAndRequestCount() {
        Instant intent = fx.now();
        ProviderBatch lost = client.create(messages("pb-lost", 3)).orElseThrow();
        fx.emulator.advanceClock(Duration.ofSeconds(5));
        client.create(messages("pb-other", 2)).orElseThrow();
        client.create(messages("pb-later", 3)).orElseThrow();

        assertThat(client.findCreated("pb-lost", intent, 3).orElseThrow())
                .hasValueSatisfying(found -> {
                    assertThat(found.id()).isEqualTo(lost.id());
                    assertThat(found.pipelineBatchId()).isEqualTo("pb-lost");
                });
        assertThat(client.findCreated("pb-none", intent, 7).orElseThrow()).isEmpty();
        assertThat(client.findCreated("pb-none", fx.now().plusSeconds(1), 3).orElseThrow()).isEmpty();
    }

    @Test
    void findCreatedPassesOverABatchAlreadyRecordedForAnotherPipelineBatch() {
        Instant intent = fx.now();
        ProviderBatch theirs = client.create(messages("pb-theirs", 3)).orElseThrow();
        fx.emulator.advanceClock(Duration.ofSeconds(1));
        ProviderBatch mine = client.create(messages("pb-mine", 3)).orElseThrow();

        // same size, same window: by time and count alone the older one would be taken
        assertThat(client.findCreated("pb-mine", intent, 3).orElseThrow()).map(ProviderBatch::id)
                .hasValue(theirs.id());
        assertThat(client.findCreated("pb-mine", intent, 3, java.util.Set.of(theirs.id())).orElseThrow())
                .map(ProviderBatch::id).hasValue(mine.id());
        assertThat(client.findCreated("pb-mine", intent, 3, java.util.Set.of(theirs.id(), mine.id())).orElseThrow())
                .isEmpty();
    }
}
