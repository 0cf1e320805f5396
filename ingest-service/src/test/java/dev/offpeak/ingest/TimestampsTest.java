package dev.offpeak.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    private final Timestamps timestamps = new Timestamps();

    @Test
    void formatsEveryMillisecondAsInstantToStringDoes() {
        long start = Instant.parse("2026-11-23T01:59:58.990Z").toEpochMilli();
        for (long millis = start; millis < start + 2_100; millis++) {
            assertThat(timestamps.format(millis)).isEqualTo(Instant.ofEpochMilli(millis).toString());
        }
    }

    @Test
    void wholeSecondsHaveNoFractionAndFractionsKeepThreeDigits() {
        assertThat(timestamps.format(Instant.parse("2026-11-23T02:00:00Z").toEpochMilli()))
                .isEqualTo("2026-11-23T02:00:00Z");
        assertThat(timestamps.format(Instant.parse("2026-11-23T02:00:00.100Z").toEpochMilli()))
                .isEqualTo("2026-11-23T02:00:00.100Z");
        assertThat(timestamps.format(Instant.parse("2026-11-23T02:00:00.007Z").toEpochMilli()))
                .isEqualTo("2026-11-23T02:00:00.007Z");
    }

    @Test
    void jumpsBackAndForthAndFarOffTimesAreFormattedToo() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long millis = random.nextLong(-62_000_000_000_000L, 400_000_000_000_000L);
            assertThat(timestamps.format(millis)).isEqualTo(Instant.ofEpochMilli(millis).toString());
            assertThat(timestamps.format(millis + 1)).isEqualTo(Instant.ofEpochMilli(millis + 1).toString());
        }
    }
}
