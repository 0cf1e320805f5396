package dev.offpeak.schemas.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.Usage;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Exact costs, worked out by hand from the registry rows. */
class CostTest {
    private static final Instant NOW = Instant.parse("2026-11-23T00:00:00Z");
    private final ModelRegistry registry = ModelRegistry.loadDefault();

    private PriceEntry row(Provider p, String model) {
        return registry.priceAt(p, model, NOW).orElseThrow();
    }

    @Test
    void openAiOlderModelGetsNoCacheDiscountInTheBatchTier() {
        // gpt-4o-mini: in 0.15, cached 0.075, out 0.60, batch x0.5, cached billed as input in batch
        Cost c = Cost.of(new Usage(1000, 2048, 0, 0, 100, 0), row(Provider.OPENAI, "gpt-4o-mini"));
        // batch: (1000*0.075 + 2048*0.075 + 100*0.30) / 1e6 = (75 + 153.6 + 30) / 1e6
        assertThat(c.batchUsd()).isEqualTo(new BigDecimal("0.0002586"));
        // sync: (1000*0.15 + 2048*0.075 + 100*0.60) / 1e6 = (150 + 153.6 + 60) / 1e6
        assertThat(c.syncUsd()).isEqualTo(new BigDecimal("0.0003636"));
        assertThat(c.savedUsd()).isEqualTo(new BigDecimal("0.000105"));
        assertThat(c.priceVersion()).isEqualTo("openai/gpt-4o-mini/2024-07-18");
    }

    @Test
    void openAiGpt5CacheDiscountStacksWithBatchAndReasoningBillsAsOutput() {
        // gpt-5: in 1.25, cached 0.125, out 10
        Cost c = Cost.of(new Usage(1000, 1024, 0, 0, 50, 200), row(Provider.OPENAI, "gpt-5"));
        // batch: 1000*0.625 + 1024*0.0625 + 250*5 = 625 + 64 + 1250 = 1939 → 0.001939
        assertThat(c.batchUsd()).isEqualTo(new BigDecimal("0.001939"));
        // sync: 1250 + 128 + 2500 = 3878
        assertThat(c.syncUsd()).isEqualTo(new BigDecimal("0.003878"));
    }

    @Test
    void anthropicHalvesEveryClassIncludingCacheWritesAndReads() {
        // haiku 4.5: in 1, read 0.1, write5m 1.25, write1h 2, out 5
        Cost c = Cost.of(new Usage(14, 2048, 100, 1000, 3, 0), row(Provider.ANTHROPIC, "claude-haiku-4-5"));
        // batch: 14*0.5 + 2048*0.05 + 100*0.625 + 1000*1 + 3*2.5 = 7 + 102.4 + 62.5 + 1000 + 7.5 = 1179.4
        assertThat(c.batchUsd()).isEqualTo(new BigDecimal("0.0011794"));
        // sync: 14 + 204.8 + 125 + 2000 + 15 = 2358.8
        assertThat(c.syncUsd()).isEqualTo(new BigDecimal("0.0023588"));
    }

    @Test
    void geminiCachedTokensBillAtTheUnhalvedCachingRate() {
        // 2.5 flash: in 0.30, cached 0.03, out 2.50
        Cost c = Cost.of(new Usage(9, 4096, 0, 0, 1, 30), row(Provider.GEMINI, "gemini-2.5-flash"));
        // batch: 9*0.15 + 4096*0.03 + 31*1.25 = 1.35 + 122.88 + 38.75 = 162.98
        assertThat(c.batchUsd()).isEqualTo(new BigDecimal("0.00016298"));
        // sync: 2.7 + 122.88 + 77.5 = 203.08
        assertThat(c.syncUsd()).isEqualTo(new BigDecimal("0.00020308"));
        // list: every prompt token at the input rate, no cache: (9 + 4096) * 0.30 + 31 * 2.50 = 1231.5 + 77.5
        assertThat(c.listUsd()).isEqualTo(new BigDecimal("0.001309"));
    }

    @Test
    void duplicateCostsNothingAndSavesTheWholeSyncCost() {
        Cost c = Cost.of(new Usage(1000, 0, 0, 0, 100, 0), row(Provider.OPENAI, "gpt-4o")).asDuplicate();
        assertThat(c.batchUsd()).isEqualTo(BigDecimal.ZERO);
        assertThat(c.savedUsd()).isEqualTo(c.syncUsd());
        assertThat(c.syncUsd()).isEqualTo(new BigDecimal("0.0035"));
        assertThat(c.listUsd()).as("no cache in this usage: list = sync").isEqualTo(c.syncUsd());
    }

    @Test
    void zeroUsageIsZeroNotExponentNotation() {
        Cost c = Cost.of(Usage.ZERO, row(Provider.OPENAI, "gpt-4o"));
        assertThat(c.batchUsd().toPlainString()).isEqualTo("0");
        assertThat(Cost.normalize(new BigDecimal("1.00E+2")).toPlainString()).isEqualTo("100");
    }
}
