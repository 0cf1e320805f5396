package dev.offpeak.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** {@code @RealKafka(sasl = true)}: a broker that lets in only SASL/PLAIN clients with a known password. */
@RealKafka(sasl = true)
class SaslKafkaIT {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private static Map<String, Object> client(KafkaCluster kafka, Map<String, String> security) {
        Map<String, Object> props = new HashMap<>(security);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return props;
    }

    private static Throwable listTopicsFails(Map<String, Object> props) throws InterruptedException {
        try (Admin admin = Admin.create(props)) {
            admin.listTopics().names().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the broker let the client in");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            return e;
        }
    }

    @Test
    void theHelpersAuthenticateAsTheAdmin(KafkaCluster kafka) {
        assertThat(kafka.clientSecurityProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "PLAIN").containsKey("sasl.jaas.config");
        String topic = kafka.createUniqueTopic("sasl", 1);
        kafka.produce(topic, List.of(Map.entry("k", "v")));
        assertThat(kafka.readCommitted(topic, 1, DEADLINE)).singleElement()
                .satisfies(r -> assertThat(r.value()).isEqualTo("v"));
    }

    @Test
    void aWrongPasswordIsRefusedAtOnceByName(KafkaCluster kafka) throws Exception {
        Throwable failure = listTopicsFails(client(kafka, KafkaCluster.saslPlain(KafkaCluster.SASL_ADMIN, "wrong")));
        assertThat(failure).isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("Invalid username or password");
    }

    @Test
    void aClientWithoutSaslSettingsDoesNotGetThrough(KafkaCluster kafka) throws Exception {
        // PLAINTEXT against a SASL listener: the broker closes the connection; the client only times out
        assertThat(listTopicsFails(client(kafka, Map.of()))).isNotNull();
    }

    @Test
    void theSecondUserAuthenticatesButHasNoAcls(KafkaCluster kafka) {
        String topic = kafka.createUniqueTopic("acl", 1);
        Map<String, Object> props = client(kafka, KafkaCluster.saslPlain(KafkaCluster.SASL_USER, KafkaCluster.SASL_USER_PASSWORD));
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }
}
