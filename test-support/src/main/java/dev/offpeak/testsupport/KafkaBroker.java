package dev.offpeak.testsupport;

/** A running broker's address and how to stop it; stopping is a no-op for an external broker. */
record KafkaBroker(String bootstrapServers, String description, AutoCloseable shutdown) implements AutoCloseable {
    @Override
    public void close() {
        Shutdowns.close(shutdown, "Kafka " + description);
    }
}
