package dev.offpeak.ingest.bulk;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads newline-separated lines from a stream without ever holding more than one line (capped at
 * {@code maxLineBytes}) plus a fixed read buffer: a 100 MB upload costs the same memory as a 1 KB
 * one. A line longer than the cap is skipped to its end and reported as {@link #overflowed()}, so
 * the lines after it are still read. A trailing {@code \r} (CRLF files) is dropped.
 */
final class LineReader {
    private static final int READ_BUFFER = 64 * 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[READ_BUFFER];
    private int pos;
    private int limit;
    private boolean eof;

    private byte[] line = new byte[8 * 1024];
    private int length;
    private boolean overflowed;
    private long overflowBytes;
    private int number;

    LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** Advances to the next line; false at the end of the input. */
    boolean next() throws IOException {
        length = 0;
        overflowed = false;
        overflowBytes = 0;
        boolean sawBytes = false;
        while (true) {
            if (pos >= limit) {
                if (eof || !fill()) {
                    if (!sawBytes) {
                        return false;
                    }
                    break;
                }
            }
            sawBytes = true;
            int newline = indexOfNewline();
            int end = newline < 0 ? limit : newline;
            append(pos, end - pos);
            pos = newline < 0 ? limit : newline + 1;
            if (newline >= 0) {
                break;
            }
        }
        number++;
        if (!overflowed && length > 0 && line[length - 1] == '\r') {
            length--;
        }
        if (!overflowed && length > maxLineBytes) {
            overflowed = true;
            overflowBytes = length;
            length = 0;
        }
        return true;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer);
        if (n < 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private int indexOfNewline() {
        for (int i = pos; i < limit; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(int from, int count) {
        if (overflowed) {
            overflowBytes += count;
            return;
        }
        // +1 leaves room for the '\r' of a CRLF line that is exactly at the cap
        if (length + count > maxLineBytes + 1) {
            overflowed = true;
            overflowBytes = (long) length + count;
            length = 0;
            return;
        }
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes + 1, Math.max(line.length * 2, length + count)));
        }
        System.arraycopy(buffer, from, line, length, count);
        length += count;
    }

    /** 1-based number of the current line. */
    int number() {
        return number;
    }

    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    boolean overflowed() {
        return overflowed;
    }

    /** How many bytes the overflowing line had (at least). */
    long overflowBytes() {
        return overflowBytes;
    }

    boolean isBlank() {
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return !overflowed;
    }
}
