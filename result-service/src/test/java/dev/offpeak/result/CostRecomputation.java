package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.store.PriceStore;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.Mode;
import dev.offpeak.schemas.pricing.PriceEntry;
import java.math.BigDecimal;
import java.util.List;

/**
 * Recomputes the cost of every settled line from what the database alone holds (stored usage and
 * the price rows) and checks it equals the stored cost exactly.
 */
final class CostRecomputation {
    private final Db db;

    CostRecomputation(Db db) {
        this.db = db;
    }

    record Stored(String requestId, String priceVersion, Usage usage, BigDecimal cost, BigDecimal sync, BigDecimal list,
                  Mode mode, BigDecimal batchCost) {}

    int assertEveryStoredCostIsExact() {
        List<PriceEntry> prices = new PriceStore(db).all();
        List<Stored> rows = db.query("""
                SELECT request_id, price_version, input_tokens, cached_input_tokens, cache_write_5m_tokens,
                       cache_write_1h_tokens, output_tokens, reasoning_tokens, cost_usd, sync_cost_usd,
                       list_cost_usd, mode, batch_cost_usd
                  FROM results""", rs -> new Stored(rs.getString(1), rs.getString(2),
                new Usage(rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)),
                rs.getBigDecimal(9), rs.getBigDecimal(10), rs.getBigDecimal(11), Mode.of(rs.getString(12)),
                rs.getBigDecimal(13)));
        assertThat(rows).isNotEmpty();
        for (Stored row : rows) {
            PriceEntry price = prices.stream().filter(p -> p.version().equals(row.priceVersion())).findFirst()
                    .orElseThrow(() -> new AssertionError("no price row " + row.priceVersion()));
            // priced in the mode the line ran in, and beside it what a batch would have charged
            Cost cost = Cost.of(row.usage(), price, row.mode());
            if (row.batchCost() != null) {
                assertThat(row.batchCost()).as("batch-equivalent cost of " + row.requestId())
                        .isEqualByComparingTo(Cost.of(row.usage(), price).batchUsd());
            }
            assertThat(row.cost()).as("cost of " + row.requestId()).isEqualByComparingTo(cost.batchUsd());
            assertThat(row.sync()).as("sync cost of " + row.requestId()).isEqualByComparingTo(cost.syncUsd());
            assertThat(row.list()).as("list cost of " + row.requestId()).isEqualByComparingTo(cost.listUsd());
        }
        return rows.size();
    }
}
