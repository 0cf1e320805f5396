package dev.offpeak.ingest.http;

import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.schemas.validation.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads a request body of at most {@code maxBytes}; a longer one is a 413 naming the limit, read no further. */
public final class BoundedBody {
    private BoundedBody() {}

    /** The body bytes; {@code declaredLength} is the Content-Length header (-1 when absent). */
    public static byte[] read(InputStream in, long declaredLength, int maxBytes) {
        if (declaredLength > maxBytes) {
            throw tooLarge(declaredLength, maxBytes);
        }
        byte[] buffer = new byte[(int) Math.min(Math.max(declaredLength, 1024), maxBytes + 1L)];
        int length = 0;
        try {
            while (true) {
                if (length == buffer.length) {
                    if (length > maxBytes) {
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

    private static RuntimeException tooLarge(long bytes, int maxBytes) {
        return Rejection.of(ErrorCode.TOO_LARGE, Problem.ROOT, "body has " + bytes
                + (bytes > maxBytes + 1L ? "" : " or more") + " bytes; the limit per task is " + maxBytes
                + " bytes (OFFPEAK_INGEST_MAX_TASK_BYTES)").exception();
    }
}
