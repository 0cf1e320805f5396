package dev.offpeak.ingest.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {
    /** "n:text" per line, or "n:TOO_LONG(bytes)". */
    private static List<String> read(InputStream in, int max) throws IOException {
        LineReader reader = new LineReader(in, max);
        List<String> lines = new ArrayList<>();
        while (reader.next()) {
            lines.add(reader.number() + ":" + (reader.overflowed() ? "TOO_LONG(" + reader.overflowBytes() + ")"
                    : new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8)));
        }
        return lines;
    }

    private static List<String> read(String text, int max) throws IOException {
        return read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
    }

    @Test
    void splitsOnNewlinesDropsCarriageReturnsAndKeepsALastLineWithoutNewline() throws IOException {
        assertThat(read("a\r\nbb\n\nccc", 10)).containsExactly("1:a", "2:bb", "3:", "4:ccc");
        assertThat(read("a\n", 10)).containsExactly("1:a");
        assertThat(read("", 10)).isEmpty();
    }

    @Test
    void aTooLongLineIsSkippedToItsEndAndReadingContinues() throws IOException {
        assertThat(read("ok\n" + "x".repeat(100) + "\nfine\n", 10))
                .containsExactly("1:ok", "2:TOO_LONG(100)", "3:fine");
        assertThat(read("x".repeat(11), 10)).containsExactly("1:TOO_LONG(11)");
        assertThat(read("x".repeat(10) + "\r\n", 10)).containsExactly("1:" + "x".repeat(10));
    }

    @Test
    void linesSpanningManyReadBuffersAreReassembled() throws IOException {
        String longLine = "y".repeat(200_000);
        assertThat(read("a\n" + longLine + "\nb", 300_000)).containsExactly("1:a", "2:" + longLine, "3:b");
    }

    @Test
    void readsAHundredMegabyteStreamWithoutHoldingIt() throws IOException {
        byte[] line = ("z".repeat(1023) + "\n").getBytes(StandardCharsets.US_ASCII);
        long total = 100L * 1024 * 1024;
        InputStream endless = new InputStream() {
            long served;

            @Override
            public int read() {
                return served < total ? line[(int) (served++ % line.length)] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (served >= total) {
                    return -1;
                }
                int n = (int) Math.min(len, total - served);
                for (int i = 0; i < n; i++) {
                    b[off + i] = line[(int) (served++ % line.length)];
                }
                return n;
            }
        };
        LineReader reader = new LineReader(endless, 4096);
        int count = 0;
        while (reader.next()) {
            assertThat(reader.length()).isEqualTo(1023);
            count++;
        }
        assertThat(count).isEqualTo(100 * 1024);
        assertThat(reader.bytes().length).isLessThanOrEqualTo(8 * 1024);
    }
}
