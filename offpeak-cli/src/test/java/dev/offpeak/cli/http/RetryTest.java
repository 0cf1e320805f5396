package dev.offpeak.cli.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryTest {
    @Test
    void waitsDoubleUpToTheCapAndARetryAfterIsHonouredWithinReason() {
        Retry retry = Retry.of(5);
        assertThat(retry.delay(1, Optional.empty())).isEqualTo(Duration.ofMillis(500));
        assertThat(retry.delay(2, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
        assertThat(retry.delay(5, Optional.empty())).isEqualTo(Duration.ofSeconds(8));
        assertThat(retry.delay(40, Optional.empty())).as("capped, never overflowing").isEqualTo(Duration.ofSeconds(8));
        assertThat(retry.delay(1, Optional.of(Duration.ofSeconds(5)))).as("the service asks for longer")
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(retry.delay(5, Optional.of(Duration.ofSeconds(1)))).as("never shorter than the backoff")
                .isEqualTo(Duration.ofSeconds(8));
        assertThat(retry.delay(1, Optional.of(Duration.ofHours(1)))).as("a Retry-After is trusted up to 30 s")
                .isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> Retry.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
