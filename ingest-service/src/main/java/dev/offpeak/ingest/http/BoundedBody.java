package dev.offpeak.ingest.http;

import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.schemas.validation.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a request body of at most {@code maxBytes}; a longer one is a 413 naming the limit.
 *
 * <p>A body over the limit is still read and dropped, up to {@link #DRAIN_LIMIT} bytes, before the
 * 413 goes out: most clients send the whole body before they read the answer, and a server that
 * answers and closes on unread bytes makes the client's TCP stack see a reset instead of the 413
 * (the JDK client reports "header parser received no bytes"). Beyond the drain limit the
 * connection is closed unread, which bounds what an abusive client can make the service read.
 */
public final class BoundedBody {
    static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    private BoundedBody() {}

    /** The body bytes; {@code declaredLength} is the Content-Length header (-1 when absent). */
    public static byte[] read(InputStream in, long declaredLength, int maxBytes) {
        if (declaredLength > maxBytes) {
            drain(in, declaredLength);
            throw tooLarge(declaredLength, maxBytes);
        }
        byte[] buffer = new byte[(int) Math.min(Math.max(declaredLength, 1024), maxBytes + 1L)];
        int length = 0;
        try {
            while (true) {
                if (length == buffer.length) {
                    if (length > maxBytes) {
                        drain(in, DRAIN_LIMIT - length);
                        throw tooLarge(length, maxBytes);
                    }
                    buffer = Arrays.copyOf(buffer, (int) Math.min(buffer.length * 2L, maxBytes + 1L));
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
            }
        } catch (IOException e) {
            throw Rejection.of(ErrorCode.UNREADABLE_BODY, "the body could not be read ("
                    + e.getClass().getSimpleName() + ")").exception();
        }
        if (length > maxBytes) {
            throw tooLarge(length, maxBytes);
        }
        return Arrays.copyOf(buffer, length);
    }

    /** Reads and drops the rest of the body, at most {@code upTo} bytes up to {@link #DRAIN_LIMIT}. */
    private static void drain(InputStream in, long upTo) {
        long left = Math.min(upTo, DRAIN_LIMIT);
        byte[] sink = new byte[64 * 1024];
        try {
            while (left > 0) {
                int n = in.read(sink, 0, (int) Math.min(sink.length, left));
                if (n < 0) {
                    return;
                }
                left -= n;
            }
        } catch (IOException e) {
            // the client went away; the 413 is still the answer if it is listening
        }
    }

    private static RuntimeException tooLarge(long bytes, int maxBytes) {
        return Rejection.of(ErrorCode.TOO_LARGE, Problem.ROOT, "body has " + bytes
                + (bytes > maxBytes + 1L ? "" : " or more") + " bytes; the limit per task is " + maxBytes
                + " bytes (OFFPEAK_INGEST_MAX_TASK_BYTES)").exception();
    }
}
