package dev.offpeak.batcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.json.Json;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunningSha256Test {
    @Test
    void matchesTheJdkDigestForEveryLengthAndSplit() throws Exception {
        Random random = new Random(42);
        for (int len = 0; len < 300; len++) {
            byte[] data = new byte[len];
            random.nextBytes(data);
            RunningSha256 running = RunningSha256.empty();
            int at = 0;
            while (at < len) {
                int n = Math.min(len - at, 1 + random.nextInt(70));
                running = running.update(java.util.Arrays.copyOfRange(data, at, at + n));
                at += n;
            }
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            assertThat(running.hex()).as("length %d", len).isEqualTo(expected);
        }
    }

    @Test
    void survivesAJsonRoundTripMidway() throws Exception {
        RunningSha256 half = RunningSha256.empty().update("abc\n".repeat(40).getBytes());
        RunningSha256 restored = Json.mapper().readValue(Json.writeBytes(half), RunningSha256.class);
        assertThat(restored).isEqualTo(half);
        assertThat(restored.update("x".getBytes()).hex()).isEqualTo(half.update("x".getBytes()).hex());
    }
}
