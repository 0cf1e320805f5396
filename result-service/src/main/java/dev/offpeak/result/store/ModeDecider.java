package dev.offpeak.result.store;

import dev.offpeak.schemas.pricing.Mode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** Decides the mode of a ready batch inside the batch store's transaction ({@code submit.ModeChooser}). */
public interface ModeDecider {
    /** What was chosen, and why in words for the batch row. */
    record Choice(Mode mode, String reason) {}

    /** Empty: the batch keeps its mode. */
    Optional<Choice> decide(Connection c, BatchRow batch, Instant now) throws SQLException;
}
