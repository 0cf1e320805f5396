package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Prices every stored succeeded line a second way: the raw provider response in {@code results}
 * goes to {@code tools/genai-prices/check-costs.mjs}, which extracts the usage and prices it with
 * the genai-prices library (its own model matching, tiers and rates; only the batch rule comes from
 * the stored price row), and each figure must match the stored cost to 1e-9 USD. Needs Node and
 * {@code npm ci} in that folder; {@link #unavailable()} says why when they are missing.
 */
final class IndependentCostCheck {
    static final BigDecimal TOLERANCE = new BigDecimal("1e-9");

    private final Db db;

    IndependentCostCheck(Db db) {
        this.db = db;
    }

    /** The tool folder, found by walking up from the working directory. */
    static Optional<Path> toolDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path tool = dir.resolve("tools/genai-prices");
            if (Files.exists(tool.resolve("check-costs.mjs"))) {
                return Optional.of(tool);
            }
        }
        return Optional.empty();
    }

    /** Why the check cannot run here, or empty if it can. */
    static Optional<String> unavailable() {
        Optional<Path> tool = toolDir();
        if (tool.isEmpty()) {
            return Optional.of("tools/genai-prices/check-costs.mjs not found above " + Path.of("").toAbsolutePath());
        }
        if (!Files.isDirectory(tool.get().resolve("node_modules/@pydantic/genai-prices"))) {
            return Optional.of("genai-prices is not installed: run `npm ci` in " + tool.get());
        }
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.empty()
                    : Optional.of("`node --version` failed");
        } catch (IOException e) {
            return Optional.of("node is not on the PATH: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    record Stored(BigDecimal cost, BigDecimal sync) {}

    /** Checks every succeeded line; returns how many were checked. */
    int assertStoredCostsMatchGenaiPrices(Path temp) throws IOException, InterruptedException {
        Map<String, Stored> stored = new HashMap<>();
        List<String> rows = db.query("""
                SELECT r.request_id, b.provider, b.endpoint, b.model, r.response::text,
                       coalesce(b.submitted_at, r.settled_at) AS at, p.batch_multiplier, p.batch_cached_input,
                       r.cost_usd, r.sync_cost_usd
                  FROM results r
                  JOIN batches b ON b.batch_id = r.batch_id
                  JOIN prices p ON p.provider || '/' || p.model || '/' || p.effective_from = r.price_version
                 WHERE r.status = 'succeeded'""", rs -> {
            stored.put(rs.getString(1), new Stored(rs.getBigDecimal(9), rs.getBigDecimal(10)));
            ObjectNode row = Json.mapper().createObjectNode();
            row.put("request_id", rs.getString(1)).put("provider", rs.getString(2)).put("endpoint", rs.getString(3))
                    .put("model", rs.getString(4)).put("at", rs.getTimestamp(6).toInstant().toString())
                    .put("batch_multiplier", rs.getBigDecimal(7).toPlainString())
                    .put("batch_cached_input", rs.getString(8));
            try {
                row.set("response", Json.mapper().readTree(rs.getString(5)));
            } catch (IOException e) {
                throw new java.sql.SQLException("stored response is not JSON", e);
            }
            return Json.write(row);
        });
        assertThat(rows).as("succeeded lines to check").isNotEmpty();
        Path input = temp.resolve("costs-in.jsonl");
        Path output = temp.resolve("costs-out.jsonl");
        Files.write(input, rows, StandardCharsets.UTF_8);
        Path tool = toolDir().orElseThrow();
        Process node = new ProcessBuilder("node", tool.resolve("check-costs.mjs").toString())
                .redirectInput(input.toFile()).redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertThat(node.waitFor(120, TimeUnit.SECONDS)).as("check-costs.mjs finished").isTrue();
        assertThat(node.exitValue()).as("check-costs.mjs exit code").isZero();
        List<String> answers = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(answers).hasSameSizeAs(rows);
        for (String answer : answers) {
            JsonNode a = Json.mapper().readTree(answer);
            String id = a.path("request_id").asText();
            assertThat(a.has("error")).as(id + ": " + a.path("error").asText()).isFalse();
            Stored s = stored.get(id);
            BigDecimal sync = new BigDecimal(a.path("sync_usd").asText());
            assertThat(sync.subtract(new BigDecimal(a.path("library_sync_usd").asText())).abs())
                    .as(id + " breakdown vs the library's own total").isLessThanOrEqualTo(TOLERANCE);
            assertThat(s.sync().subtract(sync).abs()).as(id + " sync cost " + s.sync() + " vs " + sync)
                    .isLessThanOrEqualTo(TOLERANCE);
            BigDecimal batch = new BigDecimal(a.path("batch_usd").asText());
            assertThat(s.cost().subtract(batch).abs()).as(id + " batch cost " + s.cost() + " vs " + batch)
                    .isLessThanOrEqualTo(TOLERANCE);
        }
        return answers.size();
    }
}
