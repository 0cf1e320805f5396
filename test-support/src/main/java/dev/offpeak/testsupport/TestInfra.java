package dev.offpeak.testsupport;

import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link InfraMode} from the environment. An explicit {@value #INFRA} wins; otherwise
 * Testcontainers when a Docker engine actually answers (an installed CLI or a stale socket file is not
 * enough), else embedded, so a bare machine still runs every integration test.
 */
public final class TestInfra {
    public static final String INFRA = "OFFPEAK_TEST_INFRA";
    public static final String KAFKA_BOOTSTRAP = "OFFPEAK_TEST_KAFKA_BOOTSTRAP";
    public static final String JDBC_URL = "OFFPEAK_TEST_JDBC_URL";
    public static final String JDBC_USER = "OFFPEAK_TEST_JDBC_USER";
    public static final String JDBC_PASSWORD = "OFFPEAK_TEST_JDBC_PASSWORD";
    /** Image overrides for the Testcontainers mode. */
    public static final String KAFKA_IMAGE = "OFFPEAK_TEST_KAFKA_IMAGE";
    public static final String POSTGRES_IMAGE = "OFFPEAK_TEST_POSTGRES_IMAGE";

    private static final Logger log = LoggerFactory.getLogger(TestInfra.class);

    private TestInfra() {}

    /** The mode for this JVM, from the process environment. */
    public static InfraMode mode() {
        Map<String, String> env = System.getenv();
        return mode(env, () -> DockerProbe.anyEngineAnswers(env));
    }

    /** The mode for the given environment; {@code dockerAnswers} is only asked when no mode is set. */
    public static InfraMode mode(Map<String, String> env, BooleanSupplier dockerAnswers) {
        String explicit = env.get(INFRA);
        if (explicit != null && !explicit.isBlank()) {
            InfraMode mode = InfraMode.parse(INFRA, explicit);
            log.info("Test infrastructure: {} ({}={})", mode.envValue(), INFRA, explicit);
            return mode;
        }
        InfraMode mode = dockerAnswers.getAsBoolean() ? InfraMode.TESTCONTAINERS : InfraMode.EMBEDDED;
        log.info("Test infrastructure: {} ({} unset; Docker engine {})", mode.envValue(), INFRA,
                mode == InfraMode.TESTCONTAINERS ? "answers" : "does not answer");
        return mode;
    }

    /** The value of a variable the chosen mode needs; the message says which variable and why. */
    static String required(Map<String, String> env, String variable, String example) {
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("Missing " + variable + ": " + INFRA + "=external needs it (e.g. "
                    + variable + "=" + example + ")");
        }
        return value.trim();
    }
}
