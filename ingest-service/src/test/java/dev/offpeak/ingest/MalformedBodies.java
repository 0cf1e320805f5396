package dev.offpeak.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic malformed requests from a seed: every case is built so that it cannot be a valid
 * task (a proper prefix of an object, a wrong type, an unknown field, bad bytes, ...), so the only
 * right answer is a 4xx.
 */
final class MalformedBodies {
    record Case(String name, String path, String contentType, byte[] body) {}

    private static final String[] FIELDS = {"task_id", "provider", "model", "endpoint", "request", "metadata",
            "dedup", "dedup_scope", "not_after", "submitted_at", "job_id", "tenant", "type", "schema_version", "mode"};
    private static final String[] WRONG_VALUES = {"123", "-1.5e300", "true", "null", "[]", "{}", "[1,2,3]",
            "{\"a\":1}", "\"\"", "\"   \"", "1e999999", "\"\\u0000\""};
    private static final String[] CONTENT_TYPES = {"text/plain", "application/xml", "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded", "image/png", "application/jsonx", "json", "*/*", "", "application/"};

    private final Random random;
    private final List<Case> cases = new ArrayList<>();

    MalformedBodies(long seed) {
        this.random = new Random(seed);
    }

    List<Case> generate() {
        String valid = Tasks.chat("fuzz-1");
        for (int i = 0; i < 40; i++) {
            int cut = random.nextInt(valid.length() - 1);
            json("truncated@" + cut, valid.substring(0, cut));
        }
        for (int i = 0; i < 40; i++) {
            String field = FIELDS[random.nextInt(FIELDS.length)];
            String value = WRONG_VALUES[random.nextInt(WRONG_VALUES.length)];
            json("wrong-type " + field + "=" + value, withField(valid, field, value));
        }
        for (int i = 0; i < 20; i++) {
            String field = FIELDS[random.nextInt(FIELDS.length)];
            int length = 1_000 + random.nextInt(i < 3 ? 2_000_000 : 200_000);
            String huge = "\"" + "x".repeat(length) + "\"";
            json("huge " + field + " (" + length + " chars)", withField(valid, "surplus_" + field, huge));
        }
        for (int i = 0; i < 20; i++) {
            int depth = 201 + random.nextInt(50_000);
            boolean arrays = random.nextBoolean();
            String open = arrays ? "[" : "{\"a\":";
            String close = arrays ? "]" : "}";
            String nested = open.repeat(depth) + "1" + close.repeat(depth);
            json("nesting " + depth, random.nextBoolean() ? nested : withField(valid, "request", nested));
        }
        for (int i = 0; i < 40; i++) {
            byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
            int at = 1 + random.nextInt(bytes.length - 2);
            byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0x80, (byte) 0xED, (byte) 0xA0};
            byte[] mutated = bytes.clone();
            mutated[at] = bad[random.nextInt(bad.length)];
            add("invalid utf-8 @" + at, "/v1/tasks", "application/json", mutated);
        }
        for (int i = 0; i < 30; i++) {
            String type = CONTENT_TYPES[i % CONTENT_TYPES.length];
            String path = switch (i % 3) {
                case 0 -> "/v1/tasks";
                case 1 -> "/v1/tasks:bulk";
                default -> "/v1/jobs/fuzz/openai-batch";
            };
            add("content-type '" + type + "' on " + path, path, type.isEmpty() ? null : type,
                    Tasks.chat("fuzz-ct").getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 40; i++) {
            byte[] garbage = new byte[1 + random.nextInt(2_000)];
            random.nextBytes(garbage);
            garbage[0] = (byte) "[{\"tn1-x#".charAt(random.nextInt(8));
            add("random bytes " + garbage.length, "/v1/tasks", "application/json", garbage);
        }
        for (int i = 0; i < 20; i++) {
            String field = FIELDS[random.nextInt(5)];
            json("missing " + field, valid.replace("\"" + field + "\"", "\"x_" + field + "\""));
        }
        for (int i = 0; i < 30; i++) {
            boolean openAi = i % 2 == 0;
            String path = openAi ? "/v1/jobs/fuzz-" + i + "/openai-batch" : "/v1/tasks:bulk";
            String type = openAi ? "application/jsonl" : "application/x-ndjson";
            StringBuilder body = new StringBuilder();
            int lines = 1 + random.nextInt(5);
            for (int l = 0; l < lines; l++) {
                String line = openAi ? Tasks.openAiLine("o" + l) : Tasks.chatLine("b" + l);
                body.append(line, 0, random.nextInt(line.length() - 1)).append('\n');
            }
            add("bulk of " + lines + " truncated lines", path, type, body.toString().getBytes(StandardCharsets.UTF_8));
        }
        return cases;
    }

    private void json(String name, String body) {
        add(name, "/v1/tasks", "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private void add(String name, String path, String contentType, byte[] body) {
        cases.add(new Case(name, path, contentType, body));
    }

    /** The task with {@code field} set to the raw JSON {@code value} (added first, so it wins or is extra). */
    private static String withField(String task, String field, String value) {
        String replaced = task.replaceFirst("\"" + field + "\": (\"[^\"]*\"|\\{.*\\}(?=\\}$))", "\"" + field + "\": " + value);
        return replaced.equals(task) ? "{\"" + field + "\": " + value + ", " + task.substring(1) : replaced;
    }
}
