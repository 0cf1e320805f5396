package dev.offpeak.result.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.db.Db;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.BatchCachedInput;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.PriceEntry;
import dev.offpeak.schemas.pricing.PriceRates;
import dev.offpeak.schemas.pricing.PriceTier;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The registry's price rows as a table, so analysts can join costs to the prices that made them. */
public final class PriceStore {
    private final Db db;

    public PriceStore(Db db) {
        this.db = db;
    }

    /** Writes every price row; a row whose values changed in the registry is updated. */
    public void load(ModelRegistry registry) {
        db.inTransaction(c -> {
            for (PriceEntry e : registry.entries()) {
                PriceRates base = e.base();
                Db.update(c, """
                        INSERT INTO prices (provider, model, effective_from, input, cached_input, cache_write_5m,
                                            cache_write_1h, output, batch_multiplier, batch_cached_input, source,
                                            catalog_version, tiers, flex_multiplier, flex_cached_input)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)
                        ON CONFLICT (provider, model, effective_from) DO UPDATE SET
                            input = excluded.input, cached_input = excluded.cached_input,
                            cache_write_5m = excluded.cache_write_5m, cache_write_1h = excluded.cache_write_1h,
                            output = excluded.output, batch_multiplier = excluded.batch_multiplier,
                            batch_cached_input = excluded.batch_cached_input, source = excluded.source,
                            catalog_version = excluded.catalog_version, tiers = excluded.tiers,
                            flex_multiplier = excluded.flex_multiplier, flex_cached_input = excluded.flex_cached_input""",
                        e.provider().id(), e.model(), e.effectiveFrom(), base.input(), base.cachedInput(),
                        base.cacheWrite5m(), base.cacheWrite1h(), base.output(), e.batchMultiplier(),
                        e.batchCachedInput().name().toLowerCase(Locale.ROOT), e.source(),
                        registry.version(), tiersJson(e.tiers()), e.flexMultiplier(),
                        e.flexCachedInput() == null ? null : e.flexCachedInput().name().toLowerCase(Locale.ROOT));
            }
            return null;
        });
    }

    /** Every stored row, as price rows (for recomputing costs from the database alone). */
    public List<PriceEntry> all() {
        return db.query("SELECT * FROM prices ORDER BY provider, model, effective_from", PriceStore::entry);
    }

    private static String tiersJson(List<PriceTier> tiers) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (PriceTier t : tiers) {
            ObjectNode tier = out.addObject();
            tier.put("above", t.above());
            tier.put("input", t.rates().input().toPlainString());
            tier.put("cached_input", t.rates().cachedInput().toPlainString());
            tier.put("cache_write_5m", t.rates().cacheWrite5m().toPlainString());
            tier.put("cache_write_1h", t.rates().cacheWrite1h().toPlainString());
            tier.put("output", t.rates().output().toPlainString());
        }
        return out.toString();
    }

    private static PriceEntry entry(ResultSet rs) throws SQLException {
        PriceRates base = new PriceRates(rs.getBigDecimal("input"), rs.getBigDecimal("cached_input"),
                rs.getBigDecimal("cache_write_5m"), rs.getBigDecimal("cache_write_1h"), rs.getBigDecimal("output"));
        return new PriceEntry(Provider.of(rs.getString("provider")), rs.getString("model"),
                rs.getObject("effective_from", LocalDate.class), base, tiers(rs.getString("tiers")),
                rs.getBigDecimal("batch_multiplier"), BatchCachedInput.parse(rs.getString("batch_cached_input")),
                rs.getBigDecimal("flex_multiplier"), rs.getString("flex_cached_input") == null ? null
                        : BatchCachedInput.parse(rs.getString("flex_cached_input")),
                rs.getString("source"));
    }

    private static List<PriceTier> tiers(String json) throws SQLException {
        try {
            List<PriceTier> out = new ArrayList<>();
            for (JsonNode t : Json.mapper().readTree(json)) {
                out.add(new PriceTier(t.path("above").asLong(), new PriceRates(new BigDecimal(t.path("input").asText()),
                        new BigDecimal(t.path("cached_input").asText()), new BigDecimal(t.path("cache_write_5m").asText()),
                        new BigDecimal(t.path("cache_write_1h").asText()), new BigDecimal(t.path("output").asText()))));
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new SQLException("prices.tiers is not a JSON array of tiers: " + json, e);
        }
    }
}
