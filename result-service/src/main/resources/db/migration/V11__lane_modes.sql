-- Why a batch runs in its mode when a lane's mode is chosen (auto) or set by configuration.
ALTER TABLE batches ADD COLUMN mode_reason text;

-- The flex rule of a price row (both NULL: the model has no flex tier), so a flex line's cost is
-- re-checkable from the database alone like any other.
ALTER TABLE prices ADD COLUMN flex_multiplier numeric;
ALTER TABLE prices ADD COLUMN flex_cached_input text;
