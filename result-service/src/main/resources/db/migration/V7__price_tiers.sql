-- Long-context tiers of a price row (model registry): once a request's prompt (input + cached
-- input + cache writes) exceeds "above" tokens the whole request bills at the tier's rates.
-- A JSON array of {"above": n, "input": "6", "cached_input": "0.6", "cache_write_5m": "7.5",
-- "cache_write_1h": "12", "output": "22.5"}, rates as decimal strings (exact, as in the base
-- columns). Empty for a model with one rate per class.
ALTER TABLE prices ADD COLUMN tiers jsonb NOT NULL DEFAULT '[]'::jsonb;
COMMENT ON COLUMN prices.catalog_version IS 'the model registry layers (and their sources) the row was loaded from';
