package dev.offpeak.result.intake;

import dev.offpeak.result.db.Db;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** Keeps unreadable records, with the reason, beside the data they failed to become. */
final class IntakeRejects {
    record Reject(String topic, int partition, long offset, String reason, byte[] raw) {}

    private IntakeRejects() {}

    static void write(Connection c, List<Reject> rejects, Instant now) throws SQLException {
        for (Reject r : rejects) {
            Db.update(c, """
                    INSERT INTO intake_rejects (topic, partition, "offset", reason, raw, rejected_at)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                    r.topic(), r.partition(), r.offset(), r.reason(), r.raw(), now);
        }
    }
}
