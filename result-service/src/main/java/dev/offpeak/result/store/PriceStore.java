package dev.offpeak.result.store;

import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.BatchCachedInput;
import dev.offpeak.schemas.pricing.PriceEntry;
import dev.offpeak.schemas.pricing.PriceCatalog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** The price catalog as rows, so analysts can join costs to the prices that made them. */
public final class PriceStore {
    private final Db db;

    public PriceStore(Db db) {
        this.db = db;
    }

    /** Writes every catalog row; a row whose values changed in the repository is updated. */
    public void load(PriceCatalog catalog) {
        db.inTransaction(c -> {
            for (PriceEntry e : catalog.entries()) {
                Db.update(c, """
                        INSERT INTO prices (provider, model, effective_from, input, cached_input, cache_write_5m,
                                            cache_write_1h, output, batch_multiplier, batch_cached_input, source,
                                            catalog_version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (provider, model, effective_from) DO UPDATE SET
                            input = excluded.input, cached_input = excluded.cached_input,
                            cache_write_5m = excluded.cache_write_5m, cache_write_1h = excluded.cache_write_1h,
                            output = excluded.output, batch_multiplier = excluded.batch_multiplier,
                            batch_cached_input = excluded.batch_cached_input, source = excluded.source,
                            catalog_version = excluded.catalog_version""",
                        e.provider().id(), e.model(), e.effectiveFrom(), e.input(), e.cachedInput(),
                        e.cacheWrite5m(), e.cacheWrite1h(), e.output(), e.batchMultiplier(),
                        e.batchCachedInput().name().toLowerCase(java.util.Locale.ROOT), e.source(),
                        catalog.version());
            }
            return null;
        });
    }

    /** Every stored row, as catalog entries (for recomputing costs from the database alone). */
    public List<PriceEntry> all() {
        return db.query("SELECT * FROM prices ORDER BY provider, model, effective_from", PriceStore::entry);
    }

    private static PriceEntry entry(ResultSet rs) throws SQLException {
        return new PriceEntry(Provider.of(rs.getString("provider")), rs.getString("model"),
                rs.getObject("effective_from", java.time.LocalDate.class), rs.getBigDecimal("input"),
                rs.getBigDecimal("cached_input"), rs.getBigDecimal("cache_write_5m"),
                rs.getBigDecimal("cache_write_1h"), rs.getBigDecimal("output"), rs.getBigDecimal("batch_multiplier"),
                BatchCachedInput.parse(rs.getString("batch_cached_input")), rs.getString("source"));
    }
}
