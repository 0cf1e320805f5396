package dev.offpeak.schemas.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    private static final ModelRegistry SHIPPED = ModelRegistry.loadDefault();
    private static final Instant NOW = Instant.parse("2026-12-04T00:00:00Z");

    private static JsonNode json(String text) {
        return ModelRegistry.readJson(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test");
    }

    private static final String IMPORTED = """
            {"source": "dataset 1.0", "imported_at": "2026-12-01", "models": [
              {"provider": "openai", "model": "m", "match": {"starts_with": "m-"}, "context_window": 1000,
               "prices": [{"input": "1", "output": "2"}, {"effective_from": "2026-06-01", "input": "0.5", "output": "1"}]}]}""";
    private static final String OWN = """
            {"rules": [{"provider": "openai", "batch_multiplier": "0.5", "batch_cached_input": "as_input",
                        "endpoints": ["/v1/chat/completions"], "max_output_tokens": 100, "source": "own rule"}],
             "models": [{"provider": "openai", "model": "m", "released": "2025-01-01"}]}""";

    private static ModelRegistry layered(String... layers) {
        List<JsonNode> roots = java.util.Arrays.stream(layers).map(ModelRegistryTest::json).toList();
        List<String> names = java.util.stream.IntStream.range(0, layers.length).mapToObj(i -> "layer" + i).toList();
        return ModelRegistry.load(roots, names);
    }

    @Test
    void shippedRegistryCoversTheTextAndEmbeddingFamiliesOfEveryProvider() {
        assertThat(SHIPPED.models(Provider.OPENAI)).contains("gpt-3.5-turbo", "gpt-4", "gpt-4-turbo", "gpt-4o",
                "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-5", "gpt-5-mini", "gpt-5-nano",
                "gpt-5.1", "gpt-5.2", "o1", "o3", "o3-mini", "o4-mini", "text-embedding-3-small",
                "text-embedding-3-large", "text-embedding-ada-002");
        assertThat(SHIPPED.models(Provider.ANTHROPIC)).contains("claude-3-haiku", "claude-3-5-haiku-latest",
                "claude-3-7-sonnet-latest", "claude-sonnet-4-0", "claude-opus-4-0", "claude-opus-4-1",
                "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-5", "claude-sonnet-4-6");
        assertThat(SHIPPED.models(Provider.GEMINI)).contains("gemini-2.0-flash", "gemini-2.0-flash-lite",
                "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.5-pro", "gemini-3-pro-preview",
                "gemini-3-flash-preview", "gemini-embedding-001");
        assertThat(SHIPPED.all()).allSatisfy(m -> {
            assertThat(m.endpoints()).as(m.id()).isNotEmpty();
            assertThat(m.contextWindow()).as(m.id()).isPositive();
            assertThat(m.priceAt(NOW)).as(m.id() + " priced today").isPresent();
        });
        assertThat(SHIPPED.entries()).allSatisfy(e -> {
            assertThat(e.batchMultiplier()).isEqualByComparingTo("0.5");
            assertThat(e.source()).contains("genai-prices").contains("batch rule: https://");
        });
    }

    @Test
    void aliasesAndDatedSnapshotsResolveToTheirModel() {
        assertThat(id(Provider.ANTHROPIC, "claude-sonnet-4-5-20250929")).contains("claude-sonnet-4-5");
        assertThat(id(Provider.ANTHROPIC, "claude-3-5-haiku-20241022")).contains("claude-3-5-haiku-latest");
        assertThat(id(Provider.OPENAI, "gpt-4o-mini-2024-07-18")).contains("gpt-4o-mini");
        assertThat(id(Provider.OPENAI, "gpt-3.5-turbo-0125")).contains("gpt-3.5-turbo");
        assertThat(id(Provider.OPENAI, "gpt-4.1-nano-2025-04-14")).contains("gpt-4.1-nano");
        assertThat(id(Provider.GEMINI, "gemini-2.5-flash-preview-09-2025")).contains("gemini-2.5-flash");
        assertThat(id(Provider.GEMINI, "gemini-2.5-flash-lite")).contains("gemini-2.5-flash-lite");
        assertThat(SHIPPED.priceAt(Provider.ANTHROPIC, "claude-sonnet-4-5-20250929", NOW).orElseThrow().version())
                .isEqualTo("anthropic/claude-sonnet-4-5/2025-09-29");
    }

    @Test
    void modelsWithoutABatchTextEndpointOrRetiredAreUnknown() {
        assertThat(SHIPPED.knows(Provider.OPENAI, "gpt-4o-audio-preview")).isFalse();
        assertThat(SHIPPED.knows(Provider.OPENAI, "whisper-1")).isFalse();
        assertThat(SHIPPED.knows(Provider.OPENAI, "text-davinci-003")).isFalse();
        assertThat(SHIPPED.knows(Provider.ANTHROPIC, "claude-2.1")).isFalse();
        assertThat(SHIPPED.knows(Provider.GEMINI, "claude-3-haiku")).as("Vertex partner model").isFalse();
        assertThat(SHIPPED.knows(Provider.GEMINI, "gemini-2.5-flash-preview-tts")).isFalse();
    }

    @Test
    void closestKnownIdsAreSuggestedNearestFirst() {
        assertThat(SHIPPED.closest(Provider.OPENAI, "gpt-3.5-turbo-9999", 3)).contains("gpt-3.5-turbo-1106");
        assertThat(SHIPPED.closest(Provider.ANTHROPIC, "claude-sonet-4-5", 1)).containsExactly("claude-sonnet-4-5");
    }

    @Test
    void laterLayersWinAndAnUndatedRowStartsAtTheReleaseDate() {
        ModelRegistry r = layered(IMPORTED, OWN, """
                {"models": [{"provider": "openai", "model": "m", "max_output_tokens": 50,
                             "prices": [{"effective_from": "2026-09-01", "input": "0.25", "output": "0.5", "source": "operator"}]}]}""");
        ModelInfo m = r.find(Provider.OPENAI, "m-2026").orElseThrow();
        assertThat(m.maxOutputTokens()).isEqualTo(50);
        assertThat(m.prices()).extracting(PriceEntry::version)
                .containsExactly("openai/m/2025-01-01", "openai/m/2026-06-01", "openai/m/2026-09-01");
        assertThat(r.priceAt(Provider.OPENAI, "m", Instant.parse("2024-12-31T23:59:59Z"))).isEmpty();
        assertThat(r.priceAt(Provider.OPENAI, "m", Instant.parse("2026-07-01T00:00:00Z")).orElseThrow().base().input())
                .isEqualByComparingTo("0.5");
        PriceEntry latest = r.priceAt(Provider.OPENAI, "m", NOW).orElseThrow();
        assertThat(latest.source()).isEqualTo("operator; batch rule: own rule");
        assertThat(m.prices().get(0).source()).isEqualTo("dataset 1.0 (imported 2026-12-01); batch rule: own rule");
    }

    @Test
    void unsetCacheRatesFallBackToTheInputRate() {
        PriceEntry e = layered(IMPORTED, OWN).entries().get(0);
        assertThat(e.base().cachedInput()).isEqualTo(new BigDecimal("1"));
        assertThat(e.base().cacheWrite1h()).isEqualTo(new BigDecimal("1"));
    }

    @Test
    void malformedLayerIsRejectedWithEveryBadEntryAndFieldNamed() {
        assertThatThrownBy(() -> layered(IMPORTED, OWN, """
                {"models": [
                  {"provider": "openai", "model": "gpt-x", "contxt_window": 5,
                   "prices": [{"effective_from": "2025-13-01", "input": 0.15, "output": "-2"}],
                   "batch_multiplier": "2", "batch_cached_input": "sometimes"},
                  {"provider": "acme", "model": "", "match": {"begins": "x"}},
                  {"provider": "openai", "model": "t", "prices": [{"effective_from": "2025-01-01", "input": "1", "output": "1",
                     "tiers": [{"above": 10, "input": "2", "output": "2"}, {"above": 5, "input": "3", "output": "3"}]}]}]}"""))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).problems()).containsExactly(
                        "layer2 models[0] (openai/gpt-x): contxt_window: unknown field (known: batch_cached_input, "
                                + "batch_multiplier, context_note, context_window, deprecated, endpoints, exclude, "
                                + "flex_cached_input, flex_multiplier, match, "
                                + "max_output_tokens, min_cacheable_prefix, model, notes, prices, provider, released, source)",
                        "layer2 models[0] (openai/gpt-x) prices[0]: effective_from: must be a date YYYY-MM-DD, was '2025-13-01'",
                        "layer2 models[0] (openai/gpt-x) prices[0]: input: must be a decimal string such as \"0.15\", was 0.15",
                        "layer2 models[0] (openai/gpt-x) prices[0]: output: must be >= 0, was -2",
                        "layer2 models[0] (openai/gpt-x) prices[0]: source: required: where these figures come from",
                        "layer2 models[0] (openai/gpt-x): batch_multiplier: must be in (0, 1], was 2",
                        "layer2 models[0] (openai/gpt-x): batch_cached_input: must be one of multiplied, as_input, unmultiplied, was 'sometimes'",
                        "layer2 models[1] (acme/): provider: must be one of openai, anthropic, gemini, was 'acme'",
                        "layer2 models[1] (acme/): model: must be a non-empty string",
                        "layer2 models[1] (acme/): match: unknown match operator 'begins'",
                        "layer2 models[2] (openai/t) prices[0] tiers[1]: above: tiers must be in increasing order, 5 follows 10",
                        "layer2 models[2] (openai/t) prices[0]: source: required: where these figures come from"));
    }

    @Test
    void flexFieldsGiveAModelAFlexTierAndALaterLayerCanTakeItAway() {
        ModelRegistry none = layered(IMPORTED, OWN);
        assertThat(none.find(Provider.OPENAI, "m").orElseThrow().offersFlex()).as("absent = no flex tier").isFalse();
        String flexRule = """
                {"rules": [{"provider": "openai", "match": {"equals": "m"}, "flex_multiplier": "0.5",
                            "flex_cached_input": "multiplied", "source": "flex source"}]}""";
        ModelRegistry withFlex = layered(IMPORTED, OWN, flexRule);
        ModelInfo m = withFlex.find(Provider.OPENAI, "m-2025").orElseThrow();
        assertThat(m.offersFlex()).isTrue();
        assertThat(m.prices()).allSatisfy(p -> {
            assertThat(p.flexMultiplier()).isEqualTo(new BigDecimal("0.5"));
            assertThat(p.flexCachedInput()).isEqualTo(BatchCachedInput.MULTIPLIED);
            assertThat(p.batchCachedInput()).as("the batch rule is untouched").isEqualTo(BatchCachedInput.AS_INPUT);
            assertThat(p.source()).endsWith("; batch rule: own rule; flex rule: flex source");
        });
        ModelRegistry withdrawn = layered(IMPORTED, OWN, flexRule, """
                {"models": [{"provider": "openai", "model": "m", "flex_multiplier": false}]}""");
        assertThat(withdrawn.find(Provider.OPENAI, "m").orElseThrow().offersFlex())
                .as("flex_multiplier: false in a later layer").isFalse();
    }

    @Test
    void badFlexFieldsAreRefusedEachNamed() {
        assertThatThrownBy(() -> layered(IMPORTED, OWN, """
                {"rules": [{"provider": "openai", "flex_multiplier": "0", "flex_cached_input": "halved"},
                           {"provider": "openai", "flex_multiplier": 0.5},
                           {"provider": "openai", "flex_multiplier": true},
                           {"provider": "anthropic", "flex_multiplier": "1.5"}]}"""))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).problems()).containsExactly(
                        "rules[0]: flex_multiplier: must be in (0, 1] (or false: no flex tier), was 0",
                        "rules[0]: flex_cached_input: must be one of multiplied, as_input, unmultiplied, was 'halved'",
                        "rules[1]: flex_multiplier: must be a decimal string such as \"0.15\", was 0.5",
                        "rules[2]: flex_multiplier: must be a decimal string in (0, 1] such as \"0.5\", or false (no flex tier), was true",
                        "rules[3]: flex_multiplier: must be in (0, 1] (or false: no flex tier), was 1.5"));
        assertThatThrownBy(() -> layered(IMPORTED, OWN, """
                {"models": [{"provider": "openai", "model": "m", "flex_multiplier": "0.5"}]}"""))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).problems()).containsExactly(
                        "openai/m: flex_cached_input: required with flex_multiplier (how cached input bills in flex; "
                                + "set it in the same rule or model row)"));
        assertThatThrownBy(() -> layered(IMPORTED, OWN, """
                {"models": [{"provider": "openai", "model": "m", "flex_cached_input": "multiplied"}]}"""))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).problems()).containsExactly(
                        "openai/m: flex_multiplier: required with flex_cached_input (the flex rate; "
                                + "or remove flex_cached_input: the model then has no flex tier)"));
    }

    @Test
    void aModelMissingARequiredFactIsNamed() {
        assertThatThrownBy(() -> layered(IMPORTED, """
                {"models": [{"provider": "openai", "model": "m", "batch_multiplier": "0.5"}]}"""))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).problems()).contains(
                        "openai/m: max_output_tokens: required (set it in a rule or model row of /registry/offpeak.json or the override file)",
                        "openai/m: batch_cached_input: required (set it in a rule or model row of /registry/offpeak.json or the override file)"));
    }

    @Test
    void anOperatorAddsALaunchDayModelWithAFileAndABadFileIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("models.json");
        Files.writeString(file, """
                {"models": [{"provider": "openai", "model": "gpt-7-preview", "context_window": 500000, "max_output_tokens": 64000,
                  "prices": [{"effective_from": "2026-12-01", "input": "2", "cached_input": "0.2", "output": "8",
                              "source": "https://openai.com/index/gpt-7 (launch post, 2026-12-01)"}]}]}""");
        ModelRegistry r = ModelRegistry.load(Optional.of(file));
        ModelInfo m = r.find(Provider.OPENAI, "gpt-7-preview").orElseThrow();
        assertThat(m.endpoints()).contains("/v1/chat/completions"); // from Offpeak's OpenAI rule
        assertThat(m.latestPrice().batchCachedInput()).isEqualTo(BatchCachedInput.AS_INPUT);
        assertThat(r.models(Provider.OPENAI)).hasSize(SHIPPED.models(Provider.OPENAI).size() + 1);

        Files.writeString(file, "{\"models\": [{\"provider\": \"openai\", \"model\": \"gpt-7\"}]}");
        assertThatThrownBy(() -> ModelRegistry.load(Optional.of(file)))
                .isInstanceOf(RegistryException.class).hasMessageContaining("openai/gpt-7: prices: required");
        assertThatThrownBy(() -> ModelRegistry.load(Optional.of(dir.resolve("missing.json"))))
                .isInstanceOf(RegistryException.class).hasMessageContaining("missing.json").hasMessageContaining("file not found");
    }

    @Test
    void notJsonIsRejected() {
        assertThatThrownBy(() -> json("{")).isInstanceOf(RegistryException.class).hasMessageContaining("malformed JSON");
    }

    private static Optional<String> id(Provider p, String model) {
        return SHIPPED.find(p, model).map(ModelInfo::id);
    }
}
