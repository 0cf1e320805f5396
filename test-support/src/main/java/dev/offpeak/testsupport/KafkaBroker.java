package dev.offpeak.testsupport;

import java.util.Map;

/**
 * A running broker's address, what a client needs to be let in ({@code security.protocol} and the
 * like; empty for a PLAINTEXT listener), and how to stop it; stopping is a no-op for an external broker.
 */
record KafkaBroker(String bootstrapServers, Map<String, String> clientSecurity, String description,
        AutoCloseable shutdown) implements AutoCloseable {
    KafkaBroker {
        clientSecurity = Map.copyOf(clientSecurity);
    }

    KafkaBroker(String bootstrapServers, String description, AutoCloseable shutdown) {
        this(bootstrapServers, Map.of(), description, shutdown);
    }

    @Override
    public void close() {
        Shutdowns.close(shutdown, "Kafka " + description);
    }
}
