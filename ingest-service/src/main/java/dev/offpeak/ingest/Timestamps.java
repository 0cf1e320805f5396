package dev.offpeak.ingest;

import java.time.Instant;

/**
 * Formats epoch milliseconds exactly as {@code Instant.ofEpochMilli(millis).toString()} does
 * ({@code 2026-11-23T02:00:00.120Z}, or {@code ...:00Z} on a whole second), for the
 * {@code submitted_at} of every task. {@code Instant.toString} costs a microsecond or more, and
 * with several requests in flight each thread met a new millisecond often enough that it was a
 * tenth of the intake's CPU. So the text of the current millisecond is kept, and when the
 * millisecond changes only the milliseconds are appended anew to the date and time of the second,
 * which is formatted once per second. Thread-safe: the cache is one immutable record.
 */
final class Timestamps {
    private record Stamp(long millis, String second, String text) {}

    /** The last millisecond formatted; null before the first. */
    private volatile Stamp stamp;

    String format(long millis) {
        Stamp current = stamp;
        if (current == null || current.millis() != millis) {
            current = next(millis, current);
            stamp = current;
        }
        return current.text();
    }

    private static Stamp next(long millis, Stamp previous) {
        long second = Math.floorDiv(millis, 1000);
        String secondText = previous != null && second == Math.floorDiv(previous.millis(), 1000)
                ? previous.second() : withoutZone(Instant.ofEpochSecond(second).toString());
        int milli = (int) Math.floorMod(millis, 1000);
        if (milli == 0) {
            return new Stamp(millis, secondText, secondText + "Z");
        }
        char[] fraction = {'.', digit(milli / 100), digit(milli / 10 % 10), digit(milli % 10), 'Z'};
        return new Stamp(millis, secondText, secondText.concat(new String(fraction)));
    }

    /** {@code 2026-11-23T02:00:00Z} without its {@code Z}. */
    private static String withoutZone(String instant) {
        return instant.substring(0, instant.length() - 1);
    }

    private static char digit(int value) {
        return (char) ('0' + value);
    }
}
