package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offpeak.result.metrics.ResultMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The work loops of result-service: each survives its own failures and can be woken. */
class LoopTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ResultMetrics metrics = new ResultMetrics(registry);

    /** A loop whose work only counts its rounds. */
    private Loop counting(String name, Duration idle, AtomicInteger rounds) {
        return new Loop(name, idle, () -> {
            rounds.incrementAndGet();
            return 0;
        }, metrics.loopFailures(name));
    }

    private double failures(String loop) {
        return registry.get(ResultMetrics.LOOP_FAILURES).tag("loop", loop).counter().count();
    }

    @Test
    void aRoundThatThrowsEvenAnErrorIsCountedAndNeitherThatLoopNorItsNeighboursStop() {
        AtomicInteger brokenRounds = new AtomicInteger();
        AtomicInteger healthyRounds = new AtomicInteger();
        try (Loop broken = new Loop("broken", Duration.ofMillis(5), () -> {
                    if (brokenRounds.incrementAndGet() % 2 == 1) {
                        throw new AssertionError("an Error, not an exception");
                    }
                    throw new IllegalStateException("and an exception");
                }, metrics.loopFailures("broken")).start();
                Loop healthy = counting("healthy", Duration.ofMillis(5), healthyRounds).start()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(failures("broken")).isGreaterThanOrEqualTo(3);
                assertThat(healthyRounds).hasValueGreaterThan(20);
            });
            assertThat(broken.isAlive()).isTrue();
            assertThat(healthy.isAlive()).isTrue();
            assertThat(failures("healthy")).isZero();
        }
    }

    @Test
    void aLoopRecoversWhenItsWorkDoesAgain() {
        AtomicInteger rounds = new AtomicInteger();
        try (Loop loop = new Loop("flaky", Duration.ofMillis(5), () -> {
            if (rounds.incrementAndGet() <= 2) {
                throw new OutOfMemoryError("pretend");
            }
            return 0;
        }, metrics.loopFailures("flaky")).start()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rounds).hasValueGreaterThan(5));
            assertThat(failures("flaky")).isEqualTo(2);
        }
    }

    @Test
    void wakeStartsTheNextRoundWithoutWaitingOutTheIdleTime() {
        AtomicInteger rounds = new AtomicInteger();
        try (Loop loop = counting("sleepy", Duration.ofHours(1), rounds).start()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rounds).hasValue(1));
            loop.wake();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rounds).hasValue(2));
        }
    }

    @Test
    void aRoundThatFoundWorkWakesTheLoopsAfterIt() {
        AtomicInteger downstream = new AtomicInteger();
        try (Loop relay = counting("relay", Duration.ofHours(1), downstream).start()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(downstream).hasValue(1));
            assertThat(ResultService.wakes(() -> 0, relay).getAsInt()).isZero();
            assertThat(ResultService.wakes(() -> 3, relay).getAsInt()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(downstream).hasValue(2));
        }
    }
}
