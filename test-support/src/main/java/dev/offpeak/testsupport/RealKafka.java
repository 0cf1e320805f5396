package dev.offpeak.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the test class a real Kafka broker, started before its first test and stopped after its last.
 * Declare a {@link KafkaCluster} parameter (constructor, {@code @BeforeAll}, {@code @BeforeEach} or test
 * method) to use it; nested classes share their outer class's broker.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KafkaExtension.class)
public @interface RealKafka {
    /** Extra broker settings as {@code key=value}, e.g. {@code "auto.create.topics.enable=false"}; ignored in external mode. */
    String[] brokerConfig() default {};

    /**
     * The broker's client listener requires SASL/PLAIN (SASL_PLAINTEXT) instead of plain PLAINTEXT:
     * users {@value KafkaCluster#SASL_ADMIN} (a super user) and {@value KafkaCluster#SASL_USER} (no ACLs:
     * refused by the broker's authorizer), set up by {@code KafkaClusterTestKit}. Every helper of
     * {@link KafkaCluster} then authenticates as the admin; {@link KafkaCluster#clientSecurityProperties()}
     * gives a test the client settings. Such a broker is always the embedded one, whatever the mode:
     * the test kit is what knows its users.
     */
    boolean sasl() default false;
}
