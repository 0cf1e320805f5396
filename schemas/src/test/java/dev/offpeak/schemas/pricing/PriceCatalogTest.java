package dev.offpeak.schemas.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.schemas.events.Provider;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PriceCatalogTest {

    private static PriceCatalog parse(String json) {
        return PriceCatalog.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    @Test
    void shippedCatalogLoadsAndPricesEveryProvider() {
        PriceCatalog catalog = PriceCatalog.loadDefault();
        for (Provider p : Provider.values()) {
            assertThat(catalog.models(p)).as(p.id()).hasSizeGreaterThanOrEqualTo(3);
        }
        assertThat(catalog.entries()).allSatisfy(e -> {
            assertThat(e.batchMultiplier()).isEqualByComparingTo("0.5");
            assertThat(e.source()).isNotBlank();
        });
    }

    @Test
    void rowInForceIsTheLatestEffectiveOnOrBeforeTheDay() {
        PriceCatalog catalog = parse("""
                {"version":"v","entries":[
                 {"provider":"openai","model":"m","effective_from":"2025-01-01","input":"1","output":"2",
                  "batch_multiplier":"0.5","batch_cached_input":"as_input","source":"s"},
                 {"provider":"openai","model":"m","effective_from":"2026-01-01","input":"3","output":"4",
                  "batch_multiplier":"0.5","batch_cached_input":"as_input","source":"s"}]}""");
        assertThat(catalog.priceAt(Provider.OPENAI, "m", Instant.parse("2024-12-31T23:59:59Z"))).isEmpty();
        assertThat(catalog.priceAt(Provider.OPENAI, "m", Instant.parse("2025-06-01T00:00:00Z")).orElseThrow().input())
                .isEqualByComparingTo("1");
        assertThat(catalog.priceAt(Provider.OPENAI, "m", Instant.parse("2026-01-01T00:00:00Z")).orElseThrow().version())
                .isEqualTo("openai/m/2026-01-01");
        assertThat(catalog.priceAt(Provider.ANTHROPIC, "m", Instant.parse("2026-01-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void unsetCacheRatesFallBackToTheInputRate() {
        PriceEntry e = parse("""
                {"version":"v","entries":[{"provider":"gemini","model":"m","effective_from":"2025-01-01",
                 "input":"0.3","output":"2.5","batch_multiplier":"0.5","batch_cached_input":"unmultiplied","source":"s"}]}""")
                .entries().get(0);
        assertThat(e.cachedInput()).isEqualTo(new BigDecimal("0.3"));
        assertThat(e.cacheWrite1h()).isEqualTo(new BigDecimal("0.3"));
    }

    @Test
    void malformedCatalogIsRejectedWithEveryBadEntryAndFieldNamed() {
        assertThatThrownBy(() -> parse("""
                {"version":"v","entries":[
                 {"provider":"openai","model":"ok","effective_from":"2025-01-01","input":"1","output":"2",
                  "batch_multiplier":"0.5","batch_cached_input":"as_input","source":"s"},
                 {"provider":"openai","model":"gpt-x","effective_from":"2025-13-01","input":0.15,"output":"-2",
                  "batch_multiplier":"2","batch_cached_input":"sometimes"},
                 {"provider":"acme","model":"","effective_from":"2025-01-01","input":"1","output":"1",
                  "batch_multiplier":"0.5","batch_cached_input":"as_input","source":"s"},
                 {"provider":"openai","model":"ok","effective_from":"2025-01-01","input":"1","output":"2",
                  "batch_multiplier":"0.5","batch_cached_input":"as_input","source":"s"}]}"""))
                .isInstanceOf(CatalogException.class)
                .satisfies(e -> assertThat(((CatalogException) e).problems()).containsExactly(
                        "entries[1] (openai/gpt-x): effective_from: must be a date YYYY-MM-DD, was '2025-13-01'",
                        "entries[1] (openai/gpt-x): input: must be a decimal string such as \"0.15\", was 0.15",
                        "entries[1] (openai/gpt-x): output: must be >= 0, was -2",
                        "entries[1] (openai/gpt-x): batch_multiplier: must be in (0, 1], was 2",
                        "entries[1] (openai/gpt-x): batch_cached_input: must be one of multiplied, as_input, unmultiplied, was 'sometimes'",
                        "entries[1] (openai/gpt-x): source: required",
                        "entries[2] (acme/): provider: must be one of openai, anthropic, gemini",
                        "entries[2] (acme/): model: must be a non-empty string",
                        "entries[3] (openai/ok): duplicate of an earlier entry with the same effective_from"));
    }

    @Test
    void notJsonOrNoEntriesIsRejected() {
        assertThatThrownBy(() -> parse("{"))
                .isInstanceOf(CatalogException.class).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> parse("{\"version\":\"v\",\"entries\":[]}"))
                .isInstanceOf(CatalogException.class).hasMessageContaining("entries: must be a non-empty array");
    }
}
