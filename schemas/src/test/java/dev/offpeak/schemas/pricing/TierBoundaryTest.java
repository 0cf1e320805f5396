package dev.offpeak.schemas.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Long-context tiers priced at their boundaries: a prompt of exactly the threshold bills at the
 * base rates, one token more bills the whole request (every class) at the tier, whether the prompt
 * is plain input or mostly cache reads and writes.
 */
class TierBoundaryTest {
    private static final ModelRegistry REGISTRY = ModelRegistry.loadDefault();

    @Test
    void sonnet45Above200kBillsTheWholeRequestAtTheLongContextRates() {
        // the task: ~240,000 input tokens; base 3 / 15, tier 6 / 22.5 per 1M; batch halves both
        PriceEntry row = REGISTRY.priceAt(Provider.ANTHROPIC, "claude-sonnet-4-5", Instant.parse("2026-01-15T00:00:00Z"))
                .orElseThrow();
        Cost atBase = Cost.of(new Usage(200_000, 0, 0, 0, 1_000, 0), row);
        // sync 200,000*3 + 1,000*15 = 615,000 / 1e6; batch half
        assertThat(atBase.syncUsd()).isEqualTo(new BigDecimal("0.615"));
        assertThat(atBase.batchUsd()).isEqualTo(new BigDecimal("0.3075"));
        Cost above = Cost.of(new Usage(240_000, 0, 0, 0, 1_000, 0), row);
        // sync 240,000*6 + 1,000*22.5 = 1,462,500 / 1e6
        assertThat(above.syncUsd()).isEqualTo(new BigDecimal("1.4625"));
        assertThat(above.batchUsd()).isEqualTo(new BigDecimal("0.73125"));
    }

    @Test
    void gemini25ProTierCountsCachedTokensTowardsTheThresholdAndKeepsTheUnhalvedCacheRate() {
        PriceEntry row = REGISTRY.priceAt(Provider.GEMINI, "gemini-2.5-pro", Instant.parse("2026-12-04T00:00:00Z"))
                .orElseThrow();
        // 150,000 fresh + 50,001 cached = 200,001 prompt tokens: tier 2.5 in / 0.25 cached / 15 out
        Cost c = Cost.of(new Usage(150_000, 50_001, 0, 0, 100, 0), row);
        // sync 150,000*2.5 + 50,001*0.25 + 100*15 = 375,000 + 12,500.25 + 1,500 = 389,000.25
        assertThat(c.syncUsd()).isEqualTo(new BigDecimal("0.38900025"));
        // batch 150,000*1.25 + 50,001*0.25 (cache hits unhalved) + 100*7.5 = 187,500 + 12,500.25 + 750
        assertThat(c.batchUsd()).isEqualTo(new BigDecimal("0.20075025"));
    }

    record Boundary(String name, PriceEntry row, long above) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every tiered row of every model in the shipped registry. */
    static Stream<Boundary> tieredRows() {
        List<Boundary> out = new ArrayList<>();
        for (PriceEntry row : REGISTRY.entries()) {
            for (PriceTier tier : row.tiers()) {
                out.add(new Boundary(row.version() + " above " + tier.above(), row, tier.above()));
            }
        }
        assertThat(out).extracting(Boundary::name).contains(
                "anthropic/claude-sonnet-4-5/2025-09-29 above 200000", "gemini/gemini-2.5-pro/2025-06-17 above 200000");
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tieredRows")
    void thresholdBillsAtTheLowerRatesAndOneTokenMoreAtTheTier(Boundary b) throws IOException {
        Rates lower = Rates.expected(b.row(), b.above() - 1);
        Rates upper = Rates.expected(b.row(), b.above() + 1);
        for (long prompt : new long[] {b.above() - 1, b.above(), b.above() + 1}) {
            Rates rates = prompt > b.above() ? upper : lower;
            // plain input; then a prompt that is mostly cache: a third read, a sixth written each way
            long cached = prompt / 3;
            long write5m = prompt / 6;
            long write1h = prompt / 6;
            Usage plain = new Usage(prompt, 0, 0, 0, 777, 33);
            Usage cachedMix = new Usage(prompt - cached - write5m - write1h, cached, write5m, write1h, 777, 33);
            for (Usage u : List.of(plain, cachedMix)) {
                Cost c = Cost.of(u, b.row());
                assertThat(c.syncUsd()).as(b + " sync at " + prompt + " " + u).isEqualByComparingTo(rates.sync(u));
                assertThat(c.batchUsd()).as(b + " batch at " + prompt + " " + u).isEqualByComparingTo(rates.batch(u, b.row()));
                // the tier applies the same in every mode: sync bills the tier's synchronous rates,
                // flex the tier's rates x the flex rule, where the model has one
                Cost sync = Cost.of(u, b.row(), Mode.SYNC);
                assertThat(sync.billedUsd()).as(b + " sync mode at " + prompt + " " + u).isEqualByComparingTo(rates.sync(u));
                assertThat(sync.syncUsd()).isEqualByComparingTo(c.syncUsd());
                assertThat(sync.listUsd()).isEqualByComparingTo(c.listUsd());
                if (b.row().offersFlex()) {
                    Cost flex = Cost.of(u, b.row(), Mode.FLEX);
                    assertThat(flex.billedUsd()).as(b + " flex at " + prompt + " " + u)
                            .isEqualByComparingTo(rates.discounted(u, b.row().flexMultiplier(), b.row().flexCachedInput()));
                    assertThat(flex.syncUsd()).isEqualByComparingTo(c.syncUsd());
                }
            }
        }
    }

    /** The rates for a prompt size, read straight from the imported data file rather than through PriceEntry. */
    record Rates(BigDecimal input, BigDecimal cached, BigDecimal write5m, BigDecimal write1h, BigDecimal output) {
        static Rates expected(PriceEntry row, long prompt) throws IOException {
            JsonNode model = null;
            try (InputStream in = TierBoundaryTest.class.getResourceAsStream(ModelRegistry.IMPORTED_RESOURCE)) {
                for (JsonNode m : ModelRegistry.readJson(in, "imported").path("models")) {
                    if (m.path("provider").asText().equals(row.provider().id()) && m.path("model").asText().equals(row.model())) {
                        model = m;
                    }
                }
            }
            assertThat(model).as("imported row of " + row.version()).isNotNull();
            JsonNode price = null;
            for (JsonNode p : model.path("prices")) {
                String from = p.path("effective_from").asText("");
                if (from.isEmpty() || !java.time.LocalDate.parse(from).isAfter(row.effectiveFrom())) {
                    price = p;
                }
            }
            JsonNode rates = price;
            for (JsonNode tier : price.path("tiers")) {
                if (prompt > tier.path("above").asLong()) {
                    rates = tier;
                }
            }
            BigDecimal input = new BigDecimal(rates.path("input").asText());
            return new Rates(input, rate(rates, "cached_input", input), rate(rates, "cache_write_5m", input),
                    rate(rates, "cache_write_1h", input), new BigDecimal(rates.path("output").asText()));
        }

        private static BigDecimal rate(JsonNode node, String field, BigDecimal fallback) {
            return node.hasNonNull(field) ? new BigDecimal(node.get(field).asText()) : fallback;
        }

        BigDecimal sync(Usage u) {
            return input.multiply(BigDecimal.valueOf(u.inputTokens()))
                    .add(cached.multiply(BigDecimal.valueOf(u.cachedInputTokens())))
                    .add(write5m.multiply(BigDecimal.valueOf(u.cacheWrite5mTokens())))
                    .add(write1h.multiply(BigDecimal.valueOf(u.cacheWrite1hTokens())))
                    .add(output.multiply(BigDecimal.valueOf(u.outputTokens() + u.reasoningTokens())))
                    .movePointLeft(6);
        }

        BigDecimal batch(Usage u, PriceEntry row) {
            return discounted(u, row.batchMultiplier(), row.batchCachedInput());
        }

        BigDecimal discounted(Usage u, BigDecimal half, BatchCachedInput rule) {
            BigDecimal cachedRate = switch (rule) {
                case MULTIPLIED -> cached.multiply(half);
                case AS_INPUT -> input.multiply(half);
                case UNMULTIPLIED -> cached;
            };
            return input.multiply(half).multiply(BigDecimal.valueOf(u.inputTokens()))
                    .add(cachedRate.multiply(BigDecimal.valueOf(u.cachedInputTokens())))
                    .add(write5m.multiply(half).multiply(BigDecimal.valueOf(u.cacheWrite5mTokens())))
                    .add(write1h.multiply(half).multiply(BigDecimal.valueOf(u.cacheWrite1hTokens())))
                    .add(output.multiply(half).multiply(BigDecimal.valueOf(u.outputTokens() + u.reasoningTokens())))
                    .movePointLeft(6);
        }
    }
}
