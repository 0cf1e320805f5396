package dev.offpeak.result.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's identity, held in PostgreSQL as a session advisory lock on its instance name, on a
 * connection of its own for the life of the process. Only one live process can hold a name, so a
 * second replica started under the same {@code OFFPEAK_RESULT_INSTANCE} is refused at start rather than
 * sharing leases (and a Kafka static membership) with the first. A process that dies loses its
 * connection and with it the lock, at once; so when an instance of that name starts again and gets
 * the lock, every lease still under the name belongs to the dead run and can be taken back without
 * waiting for it to run out.
 *
 * <p>The lock is re-checked by the lease heartbeat: if the connection dropped (a database restart) the
 * lock is taken again; if another process took the name meanwhile, {@link #held()} turns false and this
 * replica stops claiming work.
 */
public final class InstanceIdentity implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstanceIdentity.class);
    /** First key of the two-int advisory lock: keeps Offpeak's identity locks apart from other advisory locks. */
    static final int LOCK_SPACE = 0x0FF9EAC;

    private final String jdbcUrl;
    private final Properties credentials;
    private final String instance;
    private Connection connection;
    private volatile boolean held;

    private InstanceIdentity(String jdbcUrl, Properties credentials, String instance) {
        this.jdbcUrl = jdbcUrl;
        this.credentials = credentials;
        this.instance = instance;
    }

    /** The name this identity holds. */
    public String instance() {
        return instance;
    }

    /**
     * Takes {@code instance}'s lock, or throws {@link Taken} when a live process holds it.
     *
     * @throws SQLException when the database cannot be reached
     */
    public static InstanceIdentity take(String jdbcUrl, String user, String password, String instance)
            throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        credentials.setProperty("ApplicationName", "offpeak-result-identity");
        InstanceIdentity identity = new InstanceIdentity(jdbcUrl, credentials, instance);
        if (!identity.lock()) {
            identity.closeConnection();
            throw new Taken(instance);
        }
        return identity;
    }

    /** Whether this process held its name at the last check (cheap: no database call). */
    public boolean holds() {
        return held;
    }

    /** Whether this process holds its name; re-takes the lock if its connection was lost. */
    public synchronized boolean held() {
        try {
            if (connection != null && connection.isValid(5)) {
                return held;
            }
            closeConnection();
            boolean again = lock();
            if (!again) {
                log.error("instance {}: another live process holds this instance name now; this replica stops"
                        + " claiming work", instance);
            } else {
                log.warn("instance {}: the identity lock's connection was lost and is taken again", instance);
            }
            return again;
        } catch (SQLException e) {
            held = false;
            log.warn("instance {}: cannot reach the database to hold the identity lock: {}", instance, e.getMessage());
            return false;
        }
    }

    private boolean lock() throws SQLException {
        connection = DriverManager.getConnection(jdbcUrl, credentials);
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
            s.setInt(1, LOCK_SPACE);
            s.setString(2, instance);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                held = rs.getBoolean(1);
            }
        }
        return held;
    }

    private void closeConnection() {
        held = false;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the identity connection", e);
            }
            connection = null;
        }
    }

    /** Gives the name up (the lock goes with the connection). */
    @Override
    public synchronized void close() {
        closeConnection();
    }

    /** A live process holds the instance name. */
    public static final class Taken extends RuntimeException {
        private final String instance;

        Taken(String instance) {
            super("instance name " + instance + " is held by another live result-service process; every replica"
                    + " needs a name of its own", null, false, false);
            this.instance = instance;
        }

        public String instance() {
            return instance;
        }
    }
}
