package dev.offpeak.result.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.offpeak.result.db.Database;
import dev.offpeak.result.SeedRows;
import dev.offpeak.result.db.Db;
import dev.offpeak.result.provider.ResultLines;
import dev.offpeak.result.settle.Pricing;
import dev.offpeak.result.settle.Retries;
import dev.offpeak.result.settle.Settlement;
import java.time.Duration;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.result.store.PipelineState;
import dev.offpeak.result.store.PriceStore;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Settlement throughput: a 50,000-line OpenAI output file parsed, matched, costed and written, the
 * batch updated and, as the service does it, every task ended with the batch's {@code task.completed}
 * outbox row in the ending transaction beside the settlement's (the clock stops when both have
 * committed), next to a raw COPY of the same rows into the same database in the same run: into a
 * table like results holding the same earlier rows. Prints as its last line
 * {@code settle: <n> lines/s, raw COPY <n> rows/s, ratio <r>}, from the median of five rounds after a
 * warm-up.
 *
 * <p>Not timed: composing and publishing the events, which the relay does after the commit from the
 * batch's outbox row in the running service (at least once, never lost: the row is marked sent only
 * when every event is acknowledged).
 *
 * <p>Run: {@code ./mvnw -q -pl result-service exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.offpeak.result.bench.SettleBench [-Dexec.args=50000]}
 */
public final class SettleBench {
    private static final Instant NOW = Instant.parse("2026-11-23T00:00:00Z");
    /** Measured rounds, after one warm-up round (a cold JIT costs the first settlement about a second). */
    private static final int ROUNDS = 5;

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        Path dir = Files.createTempDirectory("settle-bench");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start();
             HikariDataSource pool = Database.pool(pg.getJdbcUrl("postgres", "postgres"), "postgres", "", 4, "bench")) {
            Database.migrate(pool);
            Db db = new Db(pool);
            ModelRegistry catalog = ModelRegistry.loadDefault();
            new PriceStore(db).load(catalog);
            Settlement settlement = new Settlement(db, new Pricing(catalog), new Retries(3, Duration.ZERO));
            Path output = dir.resolve("output.jsonl");
            writeOutputFile(output, lines);
            System.out.printf("output file: %d lines, %.1f MB%n", lines, Files.size(output) / 1e6);

            List<double[]> rounds = new ArrayList<>();
            for (int round = 0; round <= ROUNDS; round++) {
                String batchId = "b-bench-" + round;
                seed(pool, batchId, lines);
                Path roundFile = dir.resolve("output-" + round + ".jsonl");
                withIds(output, roundFile, batchId);
                BatchRow batch = new BatchRow(batchId, "openai|/v1/chat/completions|gpt-4o-mini|0", Provider.OPENAI,
                        "/v1/chat/completions", "gpt-4o-mini", PipelineState.IN_FLIGHT, lines, 0, 0, "batch_x", 1, 1, 0, NOW, NOW, 0, dev.offpeak.schemas.pricing.Mode.BATCH, null);
                quiesce(pool);
                long t0 = System.nanoTime();
                var settled = settlement.settle(batch, null, null, sink -> readOutput(roundFile, sink), NOW);
                double settleSeconds = (System.nanoTime() - t0) / 1e9;
                double rate = lines / settleSeconds;
                String rows = settledRows(pool, batchId);
                double raw = rawCopy(pool, rows, "results_raw", lines, false);
                double rawEmpty = rawCopy(pool, rows, "results_raw_empty", lines, true);
                double linesRate = lines * 1000.0 / Math.max(1, settled.timings().linesMillis());
                System.out.printf("%s: settled %s in %.2f s = %.0f lines/s (lines parsed, costed and COPYed: %.0f"
                        + " lines/s; %d tasks ended beside them, done %d ms after the commit); raw COPY %.0f rows/s"
                        + " (into an empty table: %.0f); ratio %.2f%n", round == 0 ? "warm-up" : "round " + round,
                        settled.counts(), settleSeconds, rate, linesRate, settled.tasksEnded(),
                        settled.timings().tasksMillis(), raw, rawEmpty, rate / raw);
                if (round > 0) {
                    rounds.add(new double[] {rate, raw, linesRate});
                }
            }
            // each round's settlement and raw COPY run back to back, so they share the machine's load
            // of the moment; the round with the median ratio is reported
            rounds.sort(Comparator.comparingDouble(r -> r[0] / r[1]));
            double[] median = rounds.get(rounds.size() / 2);
            System.out.printf("result lines alone (parse, match, cost, COPY): %.0f lines/s, ratio %.2f%n", median[2],
                    median[2] / median[1]);
            System.out.printf("settle: %.0f lines/s, raw COPY %.0f rows/s, ratio %.2f%n", median[0], median[1],
                    median[0] / median[1]);
        } finally {
            deleteTree(dir);
        }
    }

    /** The output files are 30+ MB each: they go when the bench ends. */
    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String requestId(String batchId, int i) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest((batchId + i).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An output file in the shape OpenAI writes (see shared/providers/openai-batch.md §5). */
    private static void writeOutputFile(Path file, int lines) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < lines; i++) {
                w.write("{\"id\":\"batch_req_" + i + "\",\"custom_id\":\"@ID" + i + "@\",\"response\":{\"status_code\":200,"
                        + "\"request_id\":\"req_" + i + "\",\"body\":{\"id\":\"chatcmpl-" + i + "\",\"object\":\"chat.completion\","
                        + "\"created\":1763856000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
                        + "{\"role\":\"assistant\",\"content\":\"The review is positive: the customer liked the product "
                        + i + ".\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
                        + (1200 + i % 300) + ",\"completion_tokens\":" + (12 + i % 40) + ",\"total_tokens\":0,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":" + (i % 3 == 0 ? 1024 : 0) + ",\"audio_tokens\":0},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0}},"
                        + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_1\"}},\"error\":null}\n");
            }
        }
    }

    /** This round's copy of the output file, with its request ids filled in (outside the timing). */
    private static void withIds(Path template, Path file, String batchId) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(template, StandardCharsets.UTF_8);
             BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            String text;
            int i = 0;
            while ((text = r.readLine()) != null) {
                w.write(text.replace("@ID" + i + "@", requestId(batchId, i)));
                w.write('\n');
                i++;
            }
        }
    }

    /** Parses each line of the file as the OpenAI client does. */
    private static void readOutput(Path file, java.util.function.Consumer<dev.offpeak.result.provider.ResultLine> sink) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = r.readLine()) != null) {
                sink.accept(ResultLines.parse(Provider.OPENAI, Json.mapper().readTree(text)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rows settlement reads: requests, the batch, its items and one task per line. */
    private static void seed(javax.sql.DataSource ds, String batchId, int lines) throws Exception {
        try (Connection c = ds.getConnection()) {
            StringBuilder requests = new StringBuilder();
            StringBuilder items = new StringBuilder();
            StringBuilder tasks = new StringBuilder();
            for (int i = 0; i < lines; i++) {
                String id = requestId(batchId, i);
                requests.append(id).append(",openai,/v1/chat/completions,gpt-4o-mini,lane,\"{}\",3,1,acme,t").append(i)
                        .append(',').append(NOW).append('\n');
                items.append(batchId).append(',').append(i).append(',').append(id).append(",t").append(i).append(",acme,1\n");
                tasks.append("acme,").append(batchId).append("-t").append(i).append(',').append(id)
                        .append(",openai,gpt-4o-mini,/v1/chat/completions,lane,false,10,0.00001,").append(NOW).append('\n');
            }
            c.createStatement().execute("INSERT INTO batches (batch_id, lane, provider, endpoint, model, state, expected_count,"
                    + " created_at, updated_at) VALUES ('" + batchId + "', 'lane', 'openai', '/v1/chat/completions',"
                    + " 'gpt-4o-mini', 'in_flight', " + lines + ", now(), now())");
            SeedRows.copy(c, requests, items, tasks);
        }
    }

    /** The very rows settlement wrote, read back (untimed) as CSV. */
    private static String settledRows(javax.sql.DataSource ds, String batchId) throws Exception {
        try (Connection c = ds.getConnection()) {
            java.io.StringWriter rows = new java.io.StringWriter();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut(
                    "COPY (SELECT * FROM results WHERE batch_id = '" + batchId + "') TO STDOUT (FORMAT csv)", rows);
            return rows.toString();
        }
    }

    /**
     * COPYs {@code rows} raw into {@code table}, a table like results (same columns, types and
     * indexes), timing only the COPY. Like for like, the baseline's table keeps every earlier round's
     * rows, as results does; {@code empty} truncates it first instead (printed for reference: an
     * empty table's indexes are small, so it is the faster baseline).
     */
    private static double rawCopy(javax.sql.DataSource ds, String rows, String table, int lines, boolean empty)
            throws Exception {
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS " + table + " (LIKE results INCLUDING ALL)");
            if (empty) {
                c.createStatement().execute("TRUNCATE " + table);
            }
            quiesce(ds);
            long t0 = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN (FORMAT csv)",
                    new StringReader(rows));
            return lines / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * Before each timed part: statistics current and dead rows gone (as autovacuum would have done
     * for rows written long before), and a checkpoint, so that neither part pays for the other's
     * pending writes.
     */
    private static void quiesce(javax.sql.DataSource ds) throws Exception {
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("VACUUM ANALYZE");
            c.createStatement().execute("CHECKPOINT");
        }
    }

    private SettleBench() {}
}
