package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    /** A "random" source that always answers the same fraction. */
    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), 2.0, 0.5, Duration.ofSeconds(10));

    @Test
    void backoffGrowsByTheMultiplierUpToTheCap() {
        RandomGenerator middle = fixed(0.5); // jitter factor exactly 1
        assertThat(policy.delay(2, middle)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(3, middle)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delay(4, middle)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delay(6, middle)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.delay(1_000, middle)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void jitterSpreadsTheDelayWithinTheConfiguredFraction() {
        assertThat(policy.delay(3, fixed(0.0))).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(3, fixed(0.999_999))).isBetween(Duration.ofMillis(2_999), Duration.ofSeconds(3));
        RandomGenerator random = new SplittableRandom(42);
        for (int i = 0; i < 1_000; i++) {
            assertThat(policy.delay(4, random)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(6));
        }
    }

    @Test
    void theProvidersHintWinsOverTheBackoff() {
        var hinted = new Outcome.RetryLater<Void>(Duration.ofSeconds(37), "429", 429);
        var bare = new Outcome.RetryLater<Void>(null, "503", 503);
        assertThat(policy.delayAfter(hinted, 2, fixed(0.5))).isEqualTo(Duration.ofSeconds(37));
        assertThat(policy.delayAfter(bare, 3, fixed(0.5))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void attemptsCountTheFirstOne() {
        assertThat(policy.allowsAnother(4)).isTrue();
        assertThat(policy.allowsAnother(5)).isFalse();
    }

    @Test
    void invalidPoliciesNameEveryBadValue() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, 0.5, 2, Duration.ofSeconds(1)))
                .hasMessageContaining("attempts").hasMessageContaining("initialBackoff")
                .hasMessageContaining("multiplier").hasMessageContaining("jitter");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(5), 2, 0, Duration.ofSeconds(1)))
                .hasMessageContaining("cap");
    }
}
