package dev.offpeak.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void everyUnitAndIsoAreRead() {
        assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).contains(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).contains(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).contains(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).contains(Duration.ofDays(1));
        assertThat(Durations.parse(" 10 S ")).contains(Duration.ofSeconds(10));
        assertThat(Durations.parse("PT24H")).contains(Duration.ofHours(24));
        assertThat(Durations.parse("pt0.5s")).contains(Duration.ofMillis(500));
    }

    @Test
    void aBareNumberOrAnUnknownUnitIsNotADuration() {
        assertThat(Durations.parse("30")).isEmpty();
        assertThat(Durations.parse("0")).isEmpty();
        assertThat(Durations.parse("5w")).isEmpty();
        assertThat(Durations.parse("soon")).isEmpty();
        assertThat(Durations.parse("-5s")).isEmpty();
        assertThat(Durations.parse("99999999999999999999s")).isEmpty();
    }

    @Test
    void formatPicksTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(Durations.format(Duration.ofDays(1))).isEqualTo("24h");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }
}
