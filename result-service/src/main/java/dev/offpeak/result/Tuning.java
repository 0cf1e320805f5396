package dev.offpeak.result;

import java.time.Duration;

/**
 * The fixed numbers of result-service, named in one place. They are not configuration keys
 * because nothing in a deployment should need to change them; the ones that do are in
 * {@link dev.offpeak.result.config.ResultConfig}.
 */
final class Tuning {
    /** Batches claimed per submit or poll round. */
    static final int CLAIM_LIMIT = 20;
    /** Margin when matching a provider's creation times to ours after a crash. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    /** Each poll of a running batch waits this much longer than the last (up to the configured max)... */
    static final double POLL_BACKOFF = 1.5;
    /** ...give or take this share, so batches submitted together are not polled together. */
    static final double POLL_JITTER = 0.1;
    /** Outbox rows published per relay round. */
    static final int RELAY_BATCH = 500;
    /**
     * Database connections: one per loop that may hold one (seven), one more for a settlement's
     * second connection (the task ending), and the read API's.
     */
    static final int POOL_SIZE = 10;
    /** How long a starting replica waits for PostgreSQL before it gives up (its supervisor restarts it). */
    static final Duration DATABASE_PATIENCE = Duration.ofMinutes(10);
    /** How long one intake poll waits for records. */
    static final Duration INTAKE_POLL = Duration.ofMillis(500);
    /** Pause of the intake loop after a poll that brought nothing (the poll itself waited). */
    static final Duration INTAKE_IDLE = Duration.ofMillis(10);
    /** Pause of the relay when the outbox is empty; a settlement wakes it earlier. */
    static final Duration RELAY_IDLE = Duration.ofMillis(200);
    /** Period of the gauges read from the database. */
    static final Duration GAUGE_PERIOD = Duration.ofSeconds(10);
    /**
     * The intake consumer's session timeout: how long a dead replica's partitions wait before the group
     * hands them on (a restart under the same name gets them back at once, by static membership). The
     * broker's minimum is 6 s by default; an operator can change it with the Kafka pass-through.
     */
    static final Duration CONSUMER_SESSION_TIMEOUT = Duration.ofSeconds(10);
    /** How long the loops get, together, to finish their round at shutdown. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

    private Tuning() {}
}
