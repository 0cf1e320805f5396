package dev.offpeak.result.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.result.provider.RateLimitHints;
import dev.offpeak.schemas.events.Provider;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The throttle's decisions on a clock the test moves: no sleeping, no timing. */
class SyncThrottleTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T10:00:00Z"));
    private final InstantSource clock = now::get;

    private void advance(Duration d) {
        now.set(now.get().plus(d));
    }

    /** Null when the call may start (its ticket is the lane's next: 0, 1, 2, ...), else the wait. */
    private SyncThrottle.Wait take(SyncThrottle throttle, String model, long tokens) {
        SyncThrottle.Take take = throttle.tryAcquire(Provider.OPENAI, model, tokens, now.get());
        return take instanceof SyncThrottle.Wait w ? w : null;
    }

    private static void answered(SyncThrottle throttle, long ticket, RateLimitHints hints) {
        throttle.answered(Provider.OPENAI, "gpt-4o-mini", ticket, hints);
    }

    @Test
    void parsesLimitsPerModelAndPerProviderAndNamesTheBadEntry() {
        Map<String, SyncThrottle.Limit> limits = SyncThrottle.parse(
                " openai/gpt-4.1-mini=rpm:500;tpm:200000, openai/*=rpm:60 , anthropic/claude-haiku-4-5=tpm:50000");
        assertThat(limits).containsExactlyInAnyOrderEntriesOf(Map.of(
                "openai/gpt-4.1-mini", new SyncThrottle.Limit(500, 200_000),
                "openai/*", new SyncThrottle.Limit(60, 0),
                "anthropic/claude-haiku-4-5", new SyncThrottle.Limit(0, 50_000)));
        SyncThrottle throttle = new SyncThrottle(limits, clock);
        assertThat(throttle.limitOf(Provider.OPENAI, "gpt-4.1-mini")).isEqualTo(new SyncThrottle.Limit(500, 200_000));
        assertThat(throttle.limitOf(Provider.OPENAI, "o4-mini")).isEqualTo(new SyncThrottle.Limit(60, 0));
        assertThat(throttle.limitOf(Provider.GEMINI, "gemini-2.5-flash")).isNull();
        assertThat(SyncThrottle.parse(null)).isEmpty();
        assertThat(SyncThrottle.parse(" ")).isEmpty();

        assertThatThrownBy(() -> SyncThrottle.parse("openai/gpt-4o-mini=rpm:0"))
                .hasMessageContaining("'rpm:0' is not rpm:N or tpm:N with N >= 1");
        assertThatThrownBy(() -> SyncThrottle.parse("openai/gpt-4o-mini=500"))
                .hasMessageContaining("entry 'openai/gpt-4o-mini=500'");
        assertThatThrownBy(() -> SyncThrottle.parse("mistral/large=rpm:5"))
                .hasMessageContaining("is not provider/model=rpm:N;tpm:M or provider/*=rpm:N;tpm:M");
        assertThatThrownBy(() -> SyncThrottle.parse("openai/gpt-4o-mini=rpm:5;rps:2"))
                .hasMessageContaining("'rps:2'");
    }

    @Test
    void configuredRequestsPerMinuteAllowASecondsShareThenOneEveryPeriod() {
        SyncThrottle throttle = new SyncThrottle(SyncThrottle.parse("openai/*=rpm:120"), clock);
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        SyncThrottle.Wait wait = take(throttle, "gpt-4o-mini", 10);
        assertThat(wait.cause()).isEqualTo(SyncThrottle.Cause.CONFIGURED);
        assertThat(wait.time()).isBetween(Duration.ofMillis(499), Duration.ofMillis(500));
        // each model is a lane of its own
        assertThat(take(throttle, "o4-mini", 10)).isNull();
        advance(Duration.ofMillis(500));
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNotNull();
        // a minute gives exactly rpm calls
        int granted = 0;
        for (int ms = 0; ms < 60_000; ms += 50) {
            advance(Duration.ofMillis(50));
            while (take(throttle, "gpt-4o-mini", 10) == null) {
                granted++;
            }
        }
        assertThat(granted).isBetween(119, 121);
    }

    @Test
    void configuredTokensPerMinuteWaitForTheEstimateAndABigCallWaitsForAFullBucket() {
        SyncThrottle throttle = new SyncThrottle(SyncThrottle.parse("openai/gpt-4o-mini=tpm:6000"), clock);
        assertThat(take(throttle, "gpt-4o-mini", 80)).isNull(); // 100 a second: 20 left
        SyncThrottle.Wait wait = take(throttle, "gpt-4o-mini", 80);
        assertThat(wait.cause()).isEqualTo(SyncThrottle.Cause.CONFIGURED);
        assertThat(wait.time()).isBetween(Duration.ofMillis(599), Duration.ofMillis(600));
        advance(Duration.ofMillis(600));
        assertThat(take(throttle, "gpt-4o-mini", 80)).isNull();
        // a call estimated above the second's share (100) waits until the bucket is full (empty now), then goes
        SyncThrottle.Wait big = take(throttle, "gpt-4o-mini", 5_000);
        assertThat(big.time()).isBetween(Duration.ofMillis(999), Duration.ofMillis(1000));
        advance(Duration.ofMillis(1000));
        assertThat(take(throttle, "gpt-4o-mini", 5_000)).isNull();
        // and its whole estimate counts: the next call waits until the refill has paid for the 4,900 beyond the
        // bucket and 80 more (49.8 s at 100 a second), so the minute's tokens stay within the limit
        SyncThrottle.Wait afterBig = take(throttle, "gpt-4o-mini", 80);
        assertThat(afterBig.time()).isBetween(Duration.ofMillis(49_799), Duration.ofMillis(49_800));
        advance(afterBig.time());
        assertThat(take(throttle, "gpt-4o-mini", 80)).isNull();
    }

    @Test
    void theProvidersHeadersHoldTheLaneUntilItsBucketHasRoom() {
        SyncThrottle throttle = SyncThrottle.providerHeadersOnly(clock);
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull(); // nothing known yet: calls go (ticket 0)
        // 1 of 5 requests left, full again in 4 s: one comes back every second
        answered(throttle, 0, new RateLimitHints(5, 1, now.get().plusSeconds(4), -1, -1, null));
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        SyncThrottle.Wait wait = take(throttle, "gpt-4o-mini", 10);
        assertThat(wait.cause()).isEqualTo(SyncThrottle.Cause.PROVIDER_LIMIT);
        assertThat(wait.time()).isEqualTo(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNotNull();
        // the copy of the provider's bucket refills at its rate up to the limit, never above it
        advance(Duration.ofSeconds(3));
        for (int i = 0; i < 3; i++) {
            assertThat(take(throttle, "gpt-4o-mini", 10)).as("call %d", i).isNull();
        }
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNotNull();
        advance(Duration.ofSeconds(60));
        for (int i = 0; i < 5; i++) {
            assertThat(take(throttle, "gpt-4o-mini", 10)).as("call %d", i).isNull();
        }
        assertThat(take(throttle, "gpt-4o-mini", 10)).isEqualTo(
                new SyncThrottle.Wait(Duration.ofSeconds(1), SyncThrottle.Cause.PROVIDER_LIMIT));
        // tickets 1..10 are in flight: the answer of ticket 1 may not count the 9 started after it
        answered(throttle, 1, new RateLimitHints(5, 3, now.get().plusSeconds(2), -1, -1, null));
        assertThat(take(throttle, "gpt-4o-mini", 10)).as("3 left less 9 is -6, one a second back").isEqualTo(
                new SyncThrottle.Wait(Duration.ofSeconds(7), SyncThrottle.Cause.PROVIDER_LIMIT));
        // the answer of the newest call is the provider's newest state; an older call's, arriving after it, is stale
        answered(throttle, 10, new RateLimitHints(5, 4, now.get().plusSeconds(1), -1, -1, null));
        answered(throttle, 5, new RateLimitHints(5, 5, now.get(), -1, -1, null));
        for (int i = 0; i < 4; i++) {
            assertThat(take(throttle, "gpt-4o-mini", 10)).as("call %d", i).isNull();
        }
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNotNull();

        // input tokens: 1,000 left of 60,000, full in 59 s (1,000 a second back)
        SyncThrottle tokens = SyncThrottle.providerHeadersOnly(clock);
        assertThat(take(tokens, "gpt-4o-mini", 1)).isNull();
        answered(tokens, 0, new RateLimitHints(-1, -1, null, 60_000, 1_000, now.get().plusSeconds(59)));
        assertThat(take(tokens, "gpt-4o-mini", 3_000)).isEqualTo(
                new SyncThrottle.Wait(Duration.ofSeconds(2), SyncThrottle.Cause.PROVIDER_LIMIT));
        advance(Duration.ofSeconds(2));
        assertThat(take(tokens, "gpt-4o-mini", 3_000)).isNull();
    }

    @Test
    void theCopyLearnsHowManyTokensTheProviderCountsPerEstimatedToken() {
        SyncThrottle throttle = SyncThrottle.providerHeadersOnly(clock);
        assertThat(throttle.tokenScale(Provider.OPENAI, "gpt-4o-mini")).isEqualTo(1.0);
        long remaining = 300; // of 300, one back a millisecond
        for (int i = 0; i < 11; i++) {
            assertThat(take(throttle, "gpt-4o-mini", 20)).isNull(); // ticket i, estimated at 20
            remaining -= 25; // the provider counts 25
            answered(throttle, i, new RateLimitHints(-1, -1, null, 300, remaining,
                    now.get().plusMillis(300 - remaining)));
        }
        // 10 answers after the first, each observing 25 / 20: 1.25 - 0.25 x 0.7^10
        assertThat(throttle.tokenScale(Provider.OPENAI, "gpt-4o-mini")).isBetween(1.24, 1.25);
        // 25 left: one call estimated at 20 fits; the next needs ~24.9 back, not 15 as the raw estimate would say
        assertThat(take(throttle, "gpt-4o-mini", 20)).isNull();
        assertThat(take(throttle, "gpt-4o-mini", 20).time()).isBetween(Duration.ofMillis(24), Duration.ofMillis(25));
    }

    @Test
    void aRemainingOfZeroWithoutAResetWaitsForAnAnswerInFlightOrLetsOneCallFindOut() {
        SyncThrottle throttle = SyncThrottle.providerHeadersOnly(clock);
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        answered(throttle, 0, new RateLimitHints(-1, 0, null, -1, -1, null));
        // one call is still in flight: its answer will say more
        assertThat(take(throttle, "gpt-4o-mini", 10)).isEqualTo(
                new SyncThrottle.Wait(SyncThrottle.ANSWER_POLL, SyncThrottle.Cause.PROVIDER_LIMIT));
        throttle.released(Provider.OPENAI, "gpt-4o-mini", 1);
        // nothing in flight and nothing known: one call goes rather than the lane stopping for good, the next
        // waits for its answer
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        assertThat(take(throttle, "gpt-4o-mini", 10)).isEqualTo(
                new SyncThrottle.Wait(SyncThrottle.ANSWER_POLL, SyncThrottle.Cause.PROVIDER_LIMIT));
        // an answer that says nothing of the limits (a provider without headers) leaves the lane unthrottled
        answered(throttle, 2, RateLimitHints.NONE);
        for (int i = 0; i < 10; i++) {
            assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        }
    }

    @Test
    void a429PausesTheWholeLaneForTheRetryAfter() {
        SyncThrottle throttle = SyncThrottle.providerHeadersOnly(clock);
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        throttle.refused(Provider.OPENAI, "gpt-4o-mini", 0, Duration.ofSeconds(3));
        assertThat(take(throttle, "gpt-4o-mini", 10)).isEqualTo(
                new SyncThrottle.Wait(Duration.ofSeconds(3), SyncThrottle.Cause.RETRY_AFTER));
        assertThat(take(throttle, "o4-mini", 10)).as("another model's lane").isNull();
        advance(Duration.ofSeconds(3));
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        throttle.refused(Provider.OPENAI, "gpt-4o-mini", 1, null);
        assertThat(take(throttle, "gpt-4o-mini", 10).time()).isEqualTo(SyncThrottle.DEFAULT_PAUSE);
    }

    @Test
    void afterA429WithNothingKnownTheLaneWaitsForTheAnswersInFlightInsteadOfSendingBlind() {
        SyncThrottle throttle = SyncThrottle.providerHeadersOnly(clock);
        for (int i = 0; i < 3; i++) {
            assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
        }
        throttle.refused(Provider.OPENAI, "gpt-4o-mini", 0, Duration.ofMillis(200));
        advance(Duration.ofMillis(200));
        assertThat(take(throttle, "gpt-4o-mini", 10)).isEqualTo(
                new SyncThrottle.Wait(SyncThrottle.ANSWER_POLL, SyncThrottle.Cause.PROVIDER_LIMIT));
        // the answer of ticket 1 tells the rate: 0 of 4 left, full in 1 s (one every 250 ms), less ticket 2 still
        // in flight: 2 needed, 500 ms
        answered(throttle, 1, new RateLimitHints(4, 0, now.get().plusSeconds(1), -1, -1, null));
        assertThat(take(throttle, "gpt-4o-mini", 10)).isEqualTo(
                new SyncThrottle.Wait(Duration.ofMillis(500), SyncThrottle.Cause.PROVIDER_LIMIT));
        advance(Duration.ofMillis(500));
        assertThat(take(throttle, "gpt-4o-mini", 10)).isNull();
    }
}
