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
}
