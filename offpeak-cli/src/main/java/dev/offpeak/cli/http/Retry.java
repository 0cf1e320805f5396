package dev.offpeak.cli.http;

import dev.offpeak.cli.CliException;
import java.time.Duration;
import java.util.Optional;

/**
 * How often and how patiently the CLI asks a service again: {@code retries} more attempts after the
 * first, waiting {@code first}, doubling up to {@code max}; a service's {@code Retry-After} is
 * honoured when it asks for longer (up to {@link #LONGEST_ASKED}).
 */
public record Retry(int retries, Duration first, Duration max) {
    /** Five retries, 0.5 s doubling to 8 s: about 15 s in all before a submit gives up. */
    public static final Retry SUBMIT = of(5);
    /** Reads are cheaper to repeat by hand: three retries, about 3.5 s. */
    public static final Retry READS = of(3);
    /** The longest wait a service's Retry-After is trusted with. */
    static final Duration LONGEST_ASKED = Duration.ofSeconds(30);

    public Retry {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, not " + retries);
        }
    }

    public static Retry of(int retries) {
        return new Retry(retries, Duration.ofMillis(500), Duration.ofSeconds(8));
    }

    /** The wait before retry number {@code retry} (1 = the first retry). */
    public Duration delay(int retry, Optional<Duration> retryAfter) {
        Duration backoff = first.multipliedBy(1L << Math.min(20, retry - 1));
        Duration wait = backoff.compareTo(max) > 0 ? max : backoff;
        return retryAfter.filter(asked -> asked.compareTo(wait) > 0)
                .map(asked -> asked.compareTo(LONGEST_ASKED) > 0 ? LONGEST_ASKED : asked).orElse(wait);
    }

    void pause(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while waiting to retry");
        }
    }
}
