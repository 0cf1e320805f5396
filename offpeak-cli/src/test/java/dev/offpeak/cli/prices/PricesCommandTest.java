package dev.offpeak.cli.prices;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.cli.OffpeakCli;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code offpeak prices import|diff} on a small dataset in the genai-prices format. */
class PricesCommandTest {
    @TempDir
    Path dir;

    /** Two OpenAI models (one tiered, one with a dated price cut) and a Google one, as genai-prices writes them. */
    private static final String DATA = """
            {"source": "@pydantic/genai-prices 9.9.9 (npm, MIT)", "providers": [
              {"id": "openai", "models": [
                {"id": "gpt-5.4", "match": {"or": [{"equals": "gpt-5.4"}, {"equals": "gpt-5.4-2026-03-05"}]},
                 "context_window": 1050000,
                 "prices": {"input_mtok": {"base": 2.5, "tiers": [{"start": 271999, "price": 5}]},
                            "cache_read_mtok": {"base": 0.25, "tiers": [{"start": 271999, "price": 0.5}]},
                            "output_mtok": {"base": 15, "tiers": [{"start": 271999, "price": 22.5}]},
                            "web_searches_kcount": 10}},
                {"id": "o3", "match": {"equals": "o3"}, "context_window": 200000,
                 "prices": [{"prices": {"input_mtok": 10, "cache_read_mtok": 0.5, "output_mtok": 40}},
                            {"constraint": {"start_date": "2025-06-10", "type": "start_date"},
                             "prices": {"input_mtok": 2, "cache_read_mtok": 0.5, "output_mtok": 8}}]},
                {"id": "whisper-1", "match": {"equals": "whisper-1"}, "prices": {"audio_hours": 0.36}}]},
              {"id": "google", "models": [
                {"id": "gemini-2.5-flash", "match": {"equals": "gemini-2.5-flash"}, "context_window": 1048576,
                 "prices": {"input_mtok": 0.3, "cache_read_mtok": 0.03, "output_mtok": 2.5}}]},
              {"id": "mistral", "models": [{"id": "mistral-large", "prices": {"input_mtok": 2, "output_mtok": 6}}]}]}""";

    /** Offpeak's own rows for the small dataset: the shipped rules, none of the shipped model rows. */
    private Path own() throws IOException {
        JsonNode shipped = ModelRegistry.readJson(resource(ModelRegistry.OWN_RESOURCE), "own");
        ((com.fasterxml.jackson.databind.node.ObjectNode) shipped).remove("models");
        return Files.writeString(dir.resolve("own.json"), shipped.toString());
    }

    private record Run(int code, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = OffpeakCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void importWritesTheLayerWithTiersDatesAndDecimalStringsAndSaysWhatItLeftOut() throws IOException {
        Path data = Files.writeString(dir.resolve("data.json"), DATA);
        Path out = dir.resolve("layer.json");
        Run run = cli("prices", "import", data.toString(), "--out", out.toString(), "--date", "2026-12-04",
                "--own", own().toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("3 models imported").contains("left out openai/whisper-1: no per-token input price");

        JsonNode layer = ModelRegistry.readJson(Files.newInputStream(out), "layer");
        assertThat(layer.path("source").asText()).isEqualTo("@pydantic/genai-prices 9.9.9 (npm, MIT)");
        assertThat(layer.path("imported_at").asText()).isEqualTo("2026-12-04");
        JsonNode gpt = model(layer, "openai", "gpt-5.4");
        assertThat(gpt.path("prices").get(0).toString()).isEqualTo("{\"input\":\"2.5\",\"cached_input\":\"0.25\","
                + "\"output\":\"15\",\"tiers\":[{\"above\":271999,\"input\":\"5\",\"cached_input\":\"0.5\",\"output\":\"22.5\"}]}");
        JsonNode o3 = model(layer, "openai", "o3");
        assertThat(o3.path("prices").get(0).has("effective_from")).as("no start date in the source").isFalse();
        assertThat(o3.path("prices").get(1).path("effective_from").asText()).isEqualTo("2025-06-10");
        assertThat(model(layer, "gemini", "gemini-2.5-flash").path("prices").get(0).path("cached_input").asText())
                .isEqualTo("0.03");

        // the written layer loads with Offpeak's own rows, and prices by date as the source means
        JsonNode own = ModelRegistry.readJson(Files.newInputStream(own()), "own");
        ModelRegistry registry = ModelRegistry.load(java.util.List.of(layer, own), java.util.List.of("layer", "own"));
        assertThat(registry.priceAt(dev.offpeak.schemas.events.Provider.OPENAI, "o3",
                java.time.Instant.parse("2025-06-09T12:00:00Z")).orElseThrow().base().input()).isEqualByComparingTo("10");
        assertThat(registry.priceAt(dev.offpeak.schemas.events.Provider.OPENAI, "o3",
                java.time.Instant.parse("2025-06-10T00:00:00Z")).orElseThrow().base().input()).isEqualByComparingTo("2");
    }

    @Test
    void diffListsAddedChangedAndRemovedModelsWithoutWritingAnything() throws IOException {
        Path data = Files.writeString(dir.resolve("data.json"), DATA);
        Path before = dir.resolve("before.json");
        Files.writeString(before, """
                {"source": "old", "imported_at": "2026-01-01", "models": [
                  {"provider": "openai", "model": "o3", "match": {"equals": "o3"}, "context_window": 200000,
                   "prices": [{"input": "10", "cached_input": "0.5", "output": "40"}]},
                  {"provider": "openai", "model": "gpt-4.5-preview", "context_window": 128000,
                   "prices": [{"input": "75", "output": "150"}]}]}""");
        Run run = cli("prices", "diff", data.toString(), "--against", before.toString(), "--own", own().toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("+ gemini/gemini-2.5-flash ")
                .contains("+ openai/gpt-5.4 ")
                .contains("~ openai/o3 prices: ")
                .contains("\"effective_from\":\"2025-06-10\"")
                .contains("- openai/gpt-4.5-preview")
                .contains("4 change(s)");
        assertThat(Files.list(dir)).hasSize(3);

        // against the shipped rows (which annotate models this small dataset lacks) import would refuse: diff says so
        Run refused = cli("prices", "diff", data.toString(), "--against", before.toString(),
                "--own", dir.resolve("shipped-own.json").toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("shipped-own.json: file not found");
        Files.copy(resource(ModelRegistry.OWN_RESOURCE), dir.resolve("shipped-own.json"));
        Run shipped = cli("prices", "diff", data.toString(), "--against", before.toString(),
                "--own", dir.resolve("shipped-own.json").toString());
        assertThat(shipped.code()).isEqualTo(1);
        assertThat(shipped.out()).contains("4 change(s)").contains("import would refuse this data")
                .contains("openai/gpt-4o-mini: prices: required");
    }

    @Test
    void importRefusesDataThatWouldNotLoadWithOffpeaksRulesNamingWhatIsMissing() throws IOException {
        Path data = Files.writeString(dir.resolve("data.json"), """
                {"providers": [{"id": "google", "models": [
                  {"id": "gemini-9-ultra", "match": {"equals": "gemini-9-ultra"},
                   "prices": {"input_mtok": 1, "output_mtok": 2}}]}]}""");
        Path out = dir.resolve("layer.json");
        Run run = cli("prices", "import", data.toString(), "--out", out.toString(), "--own", own().toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("would not load with Offpeak's own rows").contains("nothing was written")
                .contains("gemini/gemini-9-ultra: context_window: required");
        assertThat(out).doesNotExist();
    }

    @Test
    void aMissingOrMalformedDataFileIsOneClearLine() throws IOException {
        Run missing = cli("prices", "import", dir.resolve("nope.json").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.json: file not found");
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"providers\": 3}");
        Run malformed = cli("prices", "diff", bad.toString());
        assertThat(malformed.code()).isEqualTo(1);
        assertThat(malformed.err()).contains("expected the genai-prices data");
    }

    private static JsonNode model(JsonNode layer, String provider, String id) {
        for (JsonNode m : layer.path("models")) {
            if (m.path("provider").asText().equals(provider) && m.path("model").asText().equals(id)) {
                return m;
            }
        }
        throw new AssertionError("no " + provider + "/" + id + " in " + layer);
    }

    private static InputStream resource(String name) {
        return ModelRegistry.class.getResourceAsStream(name);
    }
}
