package dev.offpeak.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.cli.quote.Quote;
import dev.offpeak.cli.quote.Quote.Figures;
import dev.offpeak.cli.quote.Quote.Output;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.validation.TokenEstimator;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quote's arithmetic on a tiny generated workload, worked out by hand from the registry rows
 * (Gemini and Anthropic token estimates are UTF-8 bytes / 4 + 3 per text value, so they can be
 * computed by hand), and its refusals.
 */
class QuoteCommandTest {
    private static final ModelRegistry REGISTRY = ModelRegistry.loadDefault();
    private static final TokenEstimator TOKENS = new TokenEstimator();
    private static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");

    @TempDir
    Path dir;

    /** 4,800 characters: 1,200 tokens + 3 of framing = 1,203 ≥ gemini-2.5-flash's minimum of 1,024. */
    private static final String GEMINI_SYSTEM = "abcd".repeat(1200);
    /** 16,400 characters: 4,100 + 3 = 4,103 ≥ claude-haiku-4-5's minimum of 4,096. */
    private static final String ANTHROPIC_SYSTEM = "wxyz".repeat(4100);

    private static String gemini(String id, String question) {
        return line(id, "gemini", "gemini-2.5-flash", "generateContent", """
                {"systemInstruction":{"parts":[{"text":"%s"}]},"contents":[{"role":"user","parts":[{"text":"%s"}]}],
                 "generationConfig":{"maxOutputTokens":100}}""".formatted(GEMINI_SYSTEM, question));
    }

    private static String anthropic(String id, String question) {
        return line(id, "anthropic", "claude-haiku-4-5", "/v1/messages", """
                {"max_tokens":50,"system":"%s","messages":[{"role":"user","content":"%s"}]}"""
                .formatted(ANTHROPIC_SYSTEM, question));
    }

    private static final String OPENAI_REQUEST = """
            {"max_completion_tokens":500,"messages":[{"role":"user","content":"Classify the sentiment: great service"}]}""";

    private static String line(String id, String provider, String model, String endpoint, String request) {
        return ("{\"task_id\":\"" + id + "\",\"provider\":\"" + provider + "\",\"model\":\"" + model
                + "\",\"endpoint\":\"" + endpoint + "\",\"request\":" + request + "}").replace("\n", "");
    }

    private static List<String> workload() {
        return List.of(
                gemini("g1", "aa"), gemini("g2", "bb"), gemini("g3", "aa"), // g3 repeats g1: a duplicate
                anthropic("a1", "aa"), anthropic("a2", "bb"), anthropic("a3", "cc"),
                line("o1", "openai", "gpt-5-mini", "/v1/chat/completions", OPENAI_REQUEST));
    }

    private static List<TaskSubmitted> tasks(List<String> lines) {
        List<TaskSubmitted> out = new ArrayList<>();
        for (String l : lines) {
            ObjectNode task = (ObjectNode) read(l);
            task.put("type", "task.submitted").put("schema_version", 1).put("tenant", "acme");
            out.add(EventSerde.of(TaskSubmitted.class).convert(task));
        }
        return out;
    }

    private static JsonNode read(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Figures figures(Quote.Result r, String model) {
        return r.models().stream().filter(m -> m.model().equals(model)).findFirst().orElseThrow().figures();
    }

    @Test
    void geminiDedupAndImplicitCacheByHand() {
        Quote.Result r = new Quote(REGISTRY, TOKENS).quote(tasks(workload()), 40, NOW);
        Figures g = figures(r, "gemini-2.5-flash");
        // prompt per line: bytes 4,800 + "\n" + "user" + "\n" + 2 = 4,808 → 1,202 + 3 values × 3 = 1,211
        assertThat(g.tasks).isEqualTo(3);
        assertThat(g.unique).isEqualTo(2);
        assertThat(g.promptTokens).isEqualTo(2 * 1211);
        assertThat(g.cachedTokens).as("the second unique line reads the 1,203-token prefix").isEqualTo(1203);
        // list: 3 × (1,211 × 0.30 + 40 × 2.50) = 3 × 463.3 = 1,389.9 per million
        assertThat(g.list(Output.ASSUMED)).isEqualByComparingTo("0.0013899");
        // batch (×0.5, cache hits at the unhalved 0.03): 1,211×0.15 + 50 = 231.65; 8×0.15 + 1,203×0.03 + 50 = 87.29
        assertThat(g.batch(Output.ASSUMED)).isEqualByComparingTo("0.00031894");
        // sync: 463.3; 8×0.30 + 36.09 + 100 = 138.49
        assertThat(g.sync(Output.ASSUMED)).isEqualByComparingTo("0.00060179");
        assertThat(g.flex(Output.ASSUMED)).as("Gemini has no flex tier in the registry").isNull();
        // bounds: no output 218.94; at the cap of 100: 218.94 + 200 × 1.25
        assertThat(g.batch(Output.ZERO)).isEqualByComparingTo("0.00021894");
        assertThat(g.batch(Output.CAP)).isEqualByComparingTo("0.00046894");
        assertThat(g.batchNoCache()).isEqualByComparingTo("0.0004633");
    }

    @Test
    void anthropicBreakpointOffpeakWouldAddWritesOnceAtTheOneHourRate() {
        Quote.Result r = new Quote(REGISTRY, TOKENS).quote(tasks(workload()), 40, NOW);
        Figures a = figures(r, "claude-haiku-4-5");
        // prompt: 16,400 + 6 + 2 bytes = 4,102 + 9 = 4,111; prefix 4,103; output 40 (cap 50)
        assertThat(a.unique).isEqualTo(3);
        assertThat(a.cachedTokens).isEqualTo(2 * 4103);
        // list: 3 × (4,111 + 200) = 12,933
        assertThat(a.list(Output.ASSUMED)).isEqualByComparingTo("0.012933");
        // batch: 8×0.5 + 4,103×1 (1h write 2 × 0.5) + 40×2.5 = 4,207; then 2 × (4 + 4,103×0.05 + 100) = 2 × 309.15
        assertThat(a.batch(Output.ASSUMED)).isEqualByComparingTo("0.0048253");
        // sync: 8 + 8,206 + 200 = 8,414; then 2 × (8 + 410.3 + 200) = 2 × 618.3
        assertThat(a.sync(Output.ASSUMED)).isEqualByComparingTo("0.0096506");
        assertThat(a.flex(Output.ASSUMED)).isNull();

        // two lines only: one 1h write and one read (2 + 0.1) cost more than two plain inputs: no breakpoint
        Figures two = figures(new Quote(REGISTRY, TOKENS).quote(tasks(workload().subList(3, 5)), 40, NOW),
                "claude-haiku-4-5");
        assertThat(two.cachedTokens).isZero();
        assertThat(two.batch(Output.ASSUMED)).isEqualByComparingTo("0.00431100"); // 2 × (4,111 × 0.5 + 100)
    }

    @Test
    void openAiFlexModelIsPricedAtTheFlexRates() {
        Quote.Result r = new Quote(REGISTRY, TOKENS).quote(tasks(workload()), 40, NOW);
        Figures o = figures(r, "gpt-5-mini");
        long t = TOKENS.estimate(Provider.OPENAI, "gpt-5-mini", read(OPENAI_REQUEST));
        assertThat(o.promptTokens).isEqualTo(t);
        // gpt-5-mini: in 0.25, out 2; batch and flex × 0.5
        BigDecimal half = BigDecimal.valueOf(t).multiply(new BigDecimal("0.125")).add(new BigDecimal("40"))
                .movePointLeft(6);
        assertThat(o.batch(Output.ASSUMED)).isEqualByComparingTo(half);
        assertThat(o.flex(Output.ASSUMED)).isEqualByComparingTo(half);
        assertThat(o.sync(Output.ASSUMED)).isEqualByComparingTo(half.multiply(BigDecimal.TWO));
        assertThat(r.total().flexUnique).isEqualTo(1);
        assertThat(r.total().flexForAll()).isFalse();
        assertThat(r.total().tasks).isEqualTo(7);
        assertThat(r.total().unique).isEqualTo(6);
        assertThat(r.total().batch(Output.ASSUMED)).isEqualByComparingTo(
                new BigDecimal("0.00031894").add(new BigDecimal("0.0048253")).add(half));
    }

    @Test
    void linesWhoseTaskAsksAModeArePricedInItAndTheRestLeftToAuto() throws IOException {
        // a1 asks sync, a2 asks flex (claude-haiku-4-5 has none: batch), a3 asks nothing; the gemini lines ask batch
        List<String> lines = new ArrayList<>(workload());
        lines.replaceAll(l -> l.startsWith("{\"task_id\":\"a1\"") ? l.replaceFirst("\\{", "{\"mode\":\"sync\",")
                : l.startsWith("{\"task_id\":\"a2\"") ? l.replaceFirst("\\{", "{\"mode\":\"flex\",")
                : l.startsWith("{\"task_id\":\"g") ? l.replaceFirst("\\{", "{\"mode\":\"batch\",") : l);
        Quote.Result asked = new Quote(REGISTRY, TOKENS).quote(tasks(lines), 40, NOW);
        Quote.Result plain = new Quote(REGISTRY, TOKENS).quote(tasks(workload()), 40, NOW);
        Figures haiku = figures(asked, "claude-haiku-4-5");
        assertThat(haiku.askedUnique).isEqualTo(2);
        assertThat(haiku.autoLines().unique).isEqualTo(1);
        // the per-mode columns still price every line in that mode, whatever it asks
        Figures plainHaiku = figures(plain, "claude-haiku-4-5");
        assertThat(haiku.batch(Output.ASSUMED)).isEqualByComparingTo(plainHaiku.batch(Output.ASSUMED));
        Figures gemini = figures(asked, "gemini-2.5-flash");
        assertThat(gemini.autoLines()).isNull();
        assertThat(gemini.askedUsd()).isEqualByComparingTo(gemini.batch(Output.ASSUMED));

        Path file = dir.resolve("asked.ndjson");
        Files.write(file, lines);
        Cli cli = Cli.run("quote", file.toString(), "--tenant", "acme");
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out()).containsPattern("gemini-2\\.5-flash\\s.*\\$0\\.000319 as asked\\R")
                .containsPattern("claude-haiku-4-5\\s.*\\$[0-9.]+ batch \\+ asked\\R")
                .contains("lines whose task asks batch, flex or sync are priced in that mode");
    }

    @Test
    void laneModesGiveTheLinesAskingNoModeTheirTenantsOrLanesMode() throws IOException {
        Path file = dir.resolve("lanes.ndjson");
        Files.write(file, workload());
        Cli cli = Cli.run("quote", file.toString(), "--tenant", "acme", "--lane-modes",
                "acme:gemini/gemini-2.5-flash=sync, initech:*=flex, *=batch");
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out()).containsPattern("gemini-2\\.5-flash\\s.*\\s\\$0\\.000602\\s+\\$0\\.000602 as asked\\R")
                .containsPattern("claude-haiku-4-5\\s.*\\s(\\$[0-9.]+)\\s+n/a\\s+\\$[0-9.]+\\s+\\1 as asked\\R")
                .contains("lines asking none run in their tenant's or lane's mode (lane modes acme:gemini/gemini-2.5-flash=sync,"
                        + " initech:*=flex, *=batch)");
        // another tenant's lines follow the lane entries, not acme's
        Cli other = Cli.run("quote", file.toString(), "--tenant", "initech", "--lane-modes",
                "acme:gemini/gemini-2.5-flash=sync, *=auto");
        assertThat(other.out()).containsPattern("gemini-2\\.5-flash\\s.*\\$0\\.000319 batch\\R");
        Cli bad = Cli.run("quote", file.toString(), "--lane-modes", "gemini=fast");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("offpeak quote: --lane-modes: entry 'gemini=fast' is not [tenant:]provider/model=mode");
    }

    @Test
    void theCommandPrintsEveryModeLabelledAsAnEstimateWithTheDeadlineCheck() throws IOException {
        Path file = dir.resolve("tasks.ndjson");
        Files.write(file, workload());
        Cli cli = Cli.run("quote", file.toString(), "--deadline", "2h", "--tenant", "acme");
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("ESTIMATES, nothing was sent", "output assumed 40 tokens per line")
                .containsPattern("gemini\\s+gemini-2\\.5-flash\\s+3\\s+2\\s+2,422\\s+49\\.7%\\s+\\$0\\.001390\\s+"
                        + "\\$0\\.000319\\s+n/a\\s+\\$0\\.000602\\s+\\$0\\.000602 sync\\R")
                .contains("auto = the mode result-service's auto would choose per model: the cheapest expected to finish"
                        + " by the deadline")
                .contains("auto   in time: every model has a mode expected to finish by the deadline")
                .contains("* flex: only the 1 of 6 unique requests", "dedup saves 1 of 7 tasks")
                .contains("analytics.batch_health is not consulted")
                .containsPattern("batch\\s+~24h\\s+TOO LATE").containsPattern("sync\\s+~10s\\s+in time")
                .containsPattern("flex\\s+~2m\\s+in time")
                .contains("Estimate error", "output tokens are an ASSUMPTION");
    }

    @Test
    void refusesAnUnreadableFileAndInvalidLinesNamingTheLineAndField() throws IOException {
        Cli missing = Cli.run("quote", dir.resolve("nope.ndjson").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("offpeak quote: cannot read").contains("nope.ndjson");

        Path file = dir.resolve("bad.ndjson");
        Files.write(file, List.of(gemini("g1", "aa"),
                line("x2", "openai", "gpt-4o-mimi", "/v1/chat/completions", OPENAI_REQUEST),
                "",
                "{not json",
                line("x5", "anthropic", "claude-haiku-4-5", "/v1/messages", "{\"max_tokens\":10}")));
        Cli bad = Cli.run("quote", file.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err()).contains("3 invalid lines, nothing quoted")
                .contains("line 2: model: ").contains("gpt-4o-mini")
                .contains("line 4: $: malformed JSON")
                .contains("line 5: request.messages");
        assertThat(Cli.run("quote").exitCode()).as("neither FILE nor --demo").isEqualTo(2);
        assertThat(Cli.run("quote", file.toString(), "--deadline", "soon").err()).contains("--deadline: must be an ISO instant");
    }

    @Test
    void quotesTheDemoWorkloadBeforeItRuns() {
        Cli cli = Cli.run("quote", "--demo", "--size", "300", "--seed", "7");
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("demo workload (--size 300 --seed 7)", "gpt-4o-mini", "claude-haiku-4-5",
                "gemini-2.5-flash-lite", "text-embedding-3-small").containsPattern("all\\s+300\\s")
                .containsPattern("sync\\s+auto\\R").contains("(no --deadline given)")
                .containsPattern("gemini-2\\.5-flash\\s.*\\$[0-9.]+ batch\\R");
        assertThat(Cli.run("quote", "--help").out()).contains("Usage: offpeak quote", "--output-tokens", "--deadline",
                "ESTIMATE");
    }
}
