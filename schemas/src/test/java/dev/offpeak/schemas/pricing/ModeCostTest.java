package dev.offpeak.schemas.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.Usage;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Exact costs per mode (batch, flex, sync), worked out by hand from the shipped registry rows. */
class ModeCostTest {
    private static final Instant NOW = Instant.parse("2026-12-04T00:00:00Z");
    private static final ModelRegistry REGISTRY = ModelRegistry.loadDefault();

    private static PriceEntry row(Provider p, String model) {
        return REGISTRY.priceAt(p, model, NOW).orElseThrow();
    }

    @Test
    void modesAreNamedByIdAndAnUnknownIdIsRefusedNamingTheKnownOnes() {
        assertThat(Mode.of("batch")).isEqualTo(Mode.BATCH);
        assertThat(Mode.of(" FLEX ")).isEqualTo(Mode.FLEX);
        assertThat(Mode.of("sync")).isEqualTo(Mode.SYNC);
        assertThat(Mode.FLEX.id()).isEqualTo("flex");
        assertThatThrownBy(() -> Mode.of("priority")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown mode 'priority': must be one of batch, flex, sync");
        assertThatThrownBy(() -> Mode.of(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown mode 'null'");
        assertThatThrownBy(() -> Cost.of(Usage.ZERO, row(Provider.OPENAI, "gpt-5"), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("mode");
    }

    @Test
    void gpt5InEveryModeWithCachedAndReasoningTokens() {
        // gpt-5: in 1.25, cached 0.125, out 10; batch and flex x0.5 with the cache discount kept
        PriceEntry gpt5 = row(Provider.OPENAI, "gpt-5");
        Usage u = new Usage(1000, 1024, 0, 0, 50, 200);
        Cost batch = Cost.of(u, gpt5, Mode.BATCH);
        Cost flex = Cost.of(u, gpt5, Mode.FLEX);
        Cost sync = Cost.of(u, gpt5, Mode.SYNC);
        // flex = batch: 1000*0.625 + 1024*0.0625 + 250*5 = 625 + 64 + 1250 = 1939
        assertThat(flex.billedUsd()).isEqualTo(new BigDecimal("0.001939"));
        assertThat(batch.billedUsd()).isEqualTo(new BigDecimal("0.001939"));
        assertThat(batch).isEqualTo(Cost.of(u, gpt5)); // the two-argument form is BATCH
        // sync: 1250 + 128 + 2500 = 3878
        assertThat(sync.billedUsd()).isEqualTo(new BigDecimal("0.003878"));
        assertThat(sync.batchUsd()).as("billedUsd is batchUsd").isEqualTo(sync.billedUsd());
        assertThat(sync.savedUsd()).isEqualTo(BigDecimal.ZERO);
        // sync and list are the same figures whatever the mode; list: 2024*1.25 + 250*10 = 2530 + 2500
        for (Cost c : new Cost[] {batch, flex, sync}) {
            assertThat(c.syncUsd()).isEqualTo(new BigDecimal("0.003878"));
            assertThat(c.listUsd()).isEqualTo(new BigDecimal("0.00503"));
            assertThat(c.priceVersion()).isEqualTo("openai/gpt-5/2025-08-07");
        }
        assertThat(flex.savedUsd()).isEqualTo(new BigDecimal("0.001939"));
    }

    @Test
    void o3KeepsTheCacheDiscountInFlexButNotInBatch() {
        // o3 (row from 2025-06-10): in 2, cached 0.5, out 8; batch bills cached input as input, flex keeps it
        PriceEntry o3 = row(Provider.OPENAI, "o3");
        assertThat(o3.batchCachedInput()).isEqualTo(BatchCachedInput.AS_INPUT);
        assertThat(o3.flexCachedInput()).isEqualTo(BatchCachedInput.MULTIPLIED);
        Usage u = new Usage(1000, 2048, 0, 0, 100, 0);
        // batch: 1000*1 + 2048*1 + 100*4 = 3448
        assertThat(Cost.of(u, o3, Mode.BATCH).billedUsd()).isEqualTo(new BigDecimal("0.003448"));
        // flex: 1000*1 + 2048*0.25 + 100*4 = 1912 (the pricing page's flex cached rate 0.25)
        assertThat(Cost.of(u, o3, Mode.FLEX).billedUsd()).isEqualTo(new BigDecimal("0.001912"));
        // sync: 2000 + 1024 + 800 = 3824
        assertThat(Cost.of(u, o3, Mode.SYNC).billedUsd()).isEqualTo(new BigDecimal("0.003824"));
    }

    @Test
    void aModelWithoutAFlexTierIsRefusedInFlexAndStillPricedInBatchAndSync() {
        for (String model : new String[] {"gpt-4o-mini", "gpt-4.1", "gpt-5.2"}) {
            PriceEntry r = row(Provider.OPENAI, model);
            assertThat(r.offersFlex()).as(model).isFalse();
            assertThat(r.offers(Mode.FLEX)).isFalse();
            assertThat(r.offers(Mode.SYNC)).isTrue();
            assertThatThrownBy(() -> Cost.of(new Usage(10, 0, 0, 0, 1, 0), r, Mode.FLEX))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("openai/" + model + " has no flex tier");
        }
        // gpt-4o-mini: in 0.15, cached 0.075, out 0.60; sync bills the cached rate
        Cost sync = Cost.of(new Usage(1000, 2048, 0, 0, 100, 0), row(Provider.OPENAI, "gpt-4o-mini"), Mode.SYNC);
        // 150 + 153.6 + 60 = 363.6
        assertThat(sync.billedUsd()).isEqualTo(new BigDecimal("0.0003636"));
    }

    @Test
    void anthropicAndGeminiSyncBillTheSynchronousRatesAndHaveNoFlex() {
        // haiku 4.5: in 1, read 0.1, write5m 1.25, write1h 2, out 5
        PriceEntry haiku = row(Provider.ANTHROPIC, "claude-haiku-4-5");
        Cost c = Cost.of(new Usage(14, 2048, 100, 1000, 3, 0), haiku, Mode.SYNC);
        // 14 + 204.8 + 125 + 2000 + 15 = 2358.8
        assertThat(c.billedUsd()).isEqualTo(new BigDecimal("0.0023588"));
        assertThat(c.syncUsd()).isEqualTo(c.billedUsd());
        assertThatThrownBy(() -> Cost.of(Usage.ZERO, haiku, Mode.FLEX)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("anthropic/claude-haiku-4-5 has no flex tier");
        // gemini 2.5 flash: in 0.30, cached 0.03, out 2.50: 2.7 + 122.88 + 77.5 = 203.08
        PriceEntry flash = row(Provider.GEMINI, "gemini-2.5-flash");
        assertThat(Cost.of(new Usage(9, 4096, 0, 0, 1, 30), flash, Mode.SYNC).billedUsd())
                .isEqualTo(new BigDecimal("0.00020308"));
        assertThat(flash.offersFlex()).as("Gemini flex is not in the shipped data").isFalse();
    }

    @Test
    void flexAppliesTheLongContextTierLikeEveryOtherMode() {
        // gpt-5.5: base 5 / 0.5 / 30, above 271,999 prompt tokens 10 / 1 / 45; flex x0.5, cache kept
        PriceEntry gpt55 = row(Provider.OPENAI, "gpt-5.5");
        // 200,000 + 71,999 = 271,999: base. 200,000*2.5 + 71,999*0.25 + 1,000*15 = 532,999.75
        assertThat(Cost.of(new Usage(200_000, 71_999, 0, 0, 1_000, 0), gpt55, Mode.FLEX).billedUsd())
                .isEqualTo(new BigDecimal("0.53299975"));
        // 272,000: tier. 200,000*5 + 72,000*0.5 + 1,000*22.5 = 1,058,500
        Usage above = new Usage(200_000, 72_000, 0, 0, 1_000, 0);
        assertThat(Cost.of(above, gpt55, Mode.FLEX).billedUsd()).isEqualTo(new BigDecimal("1.0585"));
        // sync at the tier: 2,000,000 + 72,000 + 45,000
        assertThat(Cost.of(above, gpt55, Mode.SYNC).billedUsd()).isEqualTo(new BigDecimal("2.117"));
    }

    @Test
    void theShippedFlexModelsAreTheOpenAiOnesWithASource() {
        assertThat(REGISTRY.all().stream().filter(ModelInfo::offersFlex).map(m -> m.provider().id() + "/" + m.id()))
                .containsExactlyInAnyOrder("openai/gpt-5", "openai/gpt-5.1", "openai/gpt-5-mini", "openai/gpt-5-nano",
                        "openai/o3", "openai/o4-mini", "openai/gpt-5.5", "openai/gpt-6-astra");
        ModelInfo snapshot = REGISTRY.find(Provider.OPENAI, "gpt-5-mini-2025-08-07").orElseThrow();
        assertThat(snapshot.offersFlex()).isTrue();
        assertThat(snapshot.latestPrice().flexMultiplier()).isEqualTo(new BigDecimal("0.5"));
        assertThat(snapshot.latestPrice().source()).contains("; flex rule: https://developers.openai.com/api/docs/pricing");
        assertThat(REGISTRY.find(Provider.OPENAI, "gpt-5.4").orElseThrow().offersFlex()).isFalse();
    }
}
