package dev.offpeak.schemas.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.util.Random;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link CanonicalJson} must produce exactly what the RFC 8785 reference implementation produces. */
class CanonicalJsonTest {

    private static String reference(String json) throws IOException {
        return new JsonCanonicalizer(json).getEncodedString();
    }

    private static String ours(String json) throws IOException {
        return CanonicalJson.of(Json.mapper().readTree(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"b\":1,\"a\":[true,false,null],\"c\":{\"z\":\"\\u0000\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\"}}",
        "{\"numbers\":[0,-0,-0.0,1,-1,0.1,1e21,1e-7,1.5e300,123456789012345678901234567890,9007199254740993,"
                + "0.30000000000000004,1E+2,2.50,4.35,0.000001,1e-6,100000000000000000000]}",
        "{\"\\u20ac\":1,\"\\r\":2,\"\\ud83d\\ude00\":3,\"1\":4,\"\\u0080\":5,\"\\ufb33\":6,\"a\":7,\"A\":8,\"\":9}",
        "{\"text\":\"caf\\u00e9 \\u65e5\\u672c \\ud83d\\ude00 \\u2028\\u2029 \\u007f <script>\"}",
        "[]", "{}", "[\"plain\"]", "[3.14]", "[[[{\"deep\":[{}]}]]]"
    })
    void matchesTheReferenceOnHandPickedCases(String json) throws IOException {
        assertThat(ours(json)).isEqualTo(reference(json));
    }

    @Test
    void matchesTheReferenceOnGeneratedDocuments() throws IOException {
        Random random = new Random(8785);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder json = new StringBuilder("["); // the reference takes only an object or array at the top
            value(random, json, 0);
            json.append(']');
            String text = json.toString();
            assertThat(ours(text)).as("document %d: %s", i, text).isEqualTo(reference(text));
        }
    }

    @Test
    void refusesNumbersJsonCannotHold() {
        assertThatThrownBy(() -> CanonicalJson.of(DoubleNode.valueOf(Double.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Infinity");
    }

    private static void value(Random random, StringBuilder out, int depth) {
        int kind = depth > 4 ? random.nextInt(4) : random.nextInt(6);
        switch (kind) {
            case 0 -> string(random, out);
            case 1 -> number(random, out);
            case 2 -> out.append(random.nextBoolean());
            case 3 -> out.append("null");
            case 4 -> {
                out.append('[');
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    out.append(i > 0 ? "," : "");
                    value(random, out, depth + 1);
                }
                out.append(']');
            }
            default -> {
                out.append('{');
                int n = random.nextInt(6);
                java.util.Set<String> names = new java.util.HashSet<>();
                for (int i = 0; i < n; i++) {
                    StringBuilder name = new StringBuilder();
                    string(random, name);
                    if (!names.add(name.toString())) {
                        continue; // the shared mapper rejects duplicate names, as it should
                    }
                    out.append(names.size() > 1 ? "," : "").append(name).append(':');
                    value(random, out, depth + 1);
                }
                out.append('}');
            }
        }
    }

    /** A JSON string literal mixing ASCII, escapes, control characters, BMP and astral characters. */
    private static void string(Random random, StringBuilder out) {
        out.append('"');
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(8)) {
                case 0 -> out.append(String.format("\\u%04x", random.nextInt(0x20)));
                case 1 -> out.append("\\\"");
                case 2 -> out.append("\\\\");
                case 3 -> out.append("\\/");
                case 4 -> out.appendCodePoint(0x80 + random.nextInt(0xd000));
                case 5 -> out.appendCodePoint(0x1f600 + random.nextInt(0x50));
                case 6 -> out.append(String.format("\\u%04x", 0xe000 + random.nextInt(0x1000)));
                default -> out.append((char) ('a' + random.nextInt(26)));
            }
        }
        out.append('"');
    }

    private static void number(Random random, StringBuilder out) {
        switch (random.nextInt(6)) {
            case 0 -> out.append(random.nextInt(2000) - 1000);
            case 1 -> out.append(random.nextLong());
            case 2 -> out.append(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            case 3 -> out.append(random.nextInt(100)).append('.').append(random.nextInt(1000)).append("e")
                    .append(random.nextInt(60) - 30);
            case 4 -> out.append(new java.math.BigInteger(100, random));
            default -> out.append(Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL));
        }
    }
}
