package dev.offpeak.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {
    private static final int LIMIT = 1024;

    /** Counts what was read, so a test can tell how much of a body the reader consumed. */
    private static final class Counting extends ByteArrayInputStream {
        Counting(int size) {
            super(new byte[size]);
        }

        int consumed() {
            return pos;
        }
    }

    @Test
    void aBodyWithinTheLimitIsReturnedWhole() {
        byte[] body = BoundedBody.read(new ByteArrayInputStream(new byte[LIMIT]), LIMIT, LIMIT);
        assertThat(body).hasSize(LIMIT);
    }

    @Test
    void anOversizedBodyIsReadToTheEndBeforeThe413SoTheClientCanReadTheAnswer() {
        Counting declared = new Counting(3 * LIMIT);
        assertThatThrownBy(() -> BoundedBody.read(declared, 3 * LIMIT, LIMIT)).hasMessageContaining("limit per task is 1024");
        assertThat(declared.consumed()).isEqualTo(3 * LIMIT);

        Counting chunked = new Counting(3 * LIMIT); // no Content-Length: found out while reading
        assertThatThrownBy(() -> BoundedBody.read(chunked, -1, LIMIT)).hasMessageContaining("or more bytes");
        assertThat(chunked.consumed()).isEqualTo(3 * LIMIT);
    }

    @Test
    void drainingStopsAtItsLimit() {
        int size = (int) BoundedBody.DRAIN_LIMIT + 4096;
        Counting huge = new Counting(size);
        assertThatThrownBy(() -> BoundedBody.read(huge, size, LIMIT)).hasMessageContaining("1024");
        assertThat(huge.consumed()).isEqualTo((int) BoundedBody.DRAIN_LIMIT);
    }

    @Test
    void aClientThatGoesAwayStillGetsThe413Decision() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws java.io.IOException {
                throw new java.io.IOException("reset");
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                throw new java.io.IOException("reset");
            }
        };
        assertThatThrownBy(() -> BoundedBody.read(broken, 2L * LIMIT, LIMIT)).hasMessageContaining("limit per task");
    }
}
