package dev.offpeak.testsupport;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link KafkaCluster} per test class, kept in the class's extension store so JUnit closes it after
 * the class (and nested classes find their outer class's cluster there instead of starting another).
 */
public final class KafkaExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        cluster(context).startTest(context.getRequiredTestMethod().getName());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return cluster(extensionContext);
    }

    private static KafkaCluster cluster(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(KafkaCluster.class, key -> start(context), KafkaCluster.class);
    }

    private static KafkaCluster start(ExtensionContext context) {
        Map<String, String> brokerConfig = brokerConfig(context.getRequiredTestClass());
        try {
            boolean sasl = Annotations.onClassOrEnclosing(context.getRequiredTestClass(), RealKafka.class)
                    .map(RealKafka::sasl).orElse(false);
            return new KafkaCluster(KafkaBrokers.start(TestInfra.mode(), System.getenv(), brokerConfig, sasl));
        } catch (Exception e) {
            throw new ExtensionConfigurationException("Could not start Kafka for " + context.getDisplayName(), e);
        }
    }

    static Map<String, String> brokerConfig(Class<?> testClass) {
        String[] entries = Annotations.onClassOrEnclosing(testClass, RealKafka.class)
                .map(RealKafka::brokerConfig).orElse(new String[0]);
        Map<String, String> config = new LinkedHashMap<>();
        Arrays.stream(entries).forEach(entry -> {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new ExtensionConfigurationException("Invalid value " + entry + " for @RealKafka.brokerConfig: must be key=value");
            }
            config.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        });
        return config;
    }
}
