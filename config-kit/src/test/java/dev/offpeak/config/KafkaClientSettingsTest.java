package dev.offpeak.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"svc\" password=\"hunter2\";";
    private static final KafkaClientSettings.Owned OWNED = new KafkaClientSettings.Owned("test-service", Map.ofEntries(
            Map.entry("acks", "acks=all is what makes a write durable"),
            KafkaClientSettings.Owned.byKey("linger.ms", "OFFPEAK_TEST_LINGER")));

    private static KafkaClientSettings read(Map<String, String> env, String... prefixes) {
        EnvReader r = new EnvReader(env);
        KafkaClientSettings settings = KafkaClientSettings.read(env, r, OWNED,
                prefixes.length == 0 ? new String[] {KafkaClientSettings.PREFIX} : prefixes);
        r.throwIfProblems("test-service");
        return settings;
    }

    @Test
    void everyOffpeakKafkaKeyBecomesTheLowerCaseDottedClientProperty() {
        KafkaClientSettings settings = read(Map.of("OFFPEAK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "OFFPEAK_KAFKA_SASL_MECHANISM", " PLAIN ", "OFFPEAK_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "OFFPEAK_KAFKA_BOOTSTRAP", "k1:9092", "OFFPEAK_KAFKA_CLIENT_DNS_LOOKUP", "",
                "OFFPEAK_INGEST_PORT", "8080"));

        assertThat(settings.properties()).containsExactlyInAnyOrderEntriesOf(Map.of("security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN", "sasl.jaas.config", JAAS));
        Properties client = new Properties();
        settings.applyTo(client);
        assertThat(client).containsEntry("sasl.jaas.config", JAAS).doesNotContainKey("bootstrap");
    }

    @Test
    void nothingSetIsNone() {
        assertThat(read(Map.of("OFFPEAK_KAFKA_BOOTSTRAP", "k:9092"))).isEqualTo(KafkaClientSettings.NONE);
    }

    @Test
    void aMoreSpecificPrefixWinsAndTheLoserIsShownAsOverridden() {
        KafkaClientSettings settings = read(Map.of("OFFPEAK_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "OFFPEAK_INGEST_KAFKA_SECURITY_PROTOCOL", "SSL", "OFFPEAK_KAFKA_SASL_MECHANISM", "PLAIN"),
                KafkaClientSettings.PREFIX, "OFFPEAK_INGEST_KAFKA_");

        assertThat(settings.properties()).containsEntry("security.protocol", "SSL").containsEntry("sasl.mechanism", "PLAIN");
        assertThat(settings.describeTo(new Description()).toString()).contains(
                "OFFPEAK_INGEST_KAFKA_SECURITY_PROTOCOL=SSL", "OFFPEAK_KAFKA_SASL_MECHANISM=PLAIN",
                "OFFPEAK_KAFKA_SECURITY_PROTOCOL=(overridden by a more specific key)");
    }

    @Test
    void ownedPropertiesAreRefusedAllAtOnceNamingKeyValueAndWhy() {
        Map<String, String> env = new HashMap<>();
        env.put("OFFPEAK_KAFKA_ACKS", "1");
        env.put("OFFPEAK_KAFKA_PRODUCER_ACKS", "0"); // a Streams client prefix does not get around it
        env.put("OFFPEAK_KAFKA_LINGER_MS", "50");
        env.put("OFFPEAK_KAFKA_BOOTSTRAP_SERVERS", "k:9092");
        env.put("OFFPEAK_KAFKA_VALUE_SERIALIZER", "com.example.Avro");
        env.put("OFFPEAK_KAFKA_SASL__MECHANISM", "PLAIN");
        env.put("OFFPEAK_KAFKA_SECURITY_PROTOCOL", "SSL");

        assertThatThrownBy(() -> read(env)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).containsExactlyInAnyOrder(
                        "Invalid value 1 for OFFPEAK_KAFKA_ACKS: test-service sets acks itself: acks=all is what makes a write durable",
                        "Invalid value 0 for OFFPEAK_KAFKA_PRODUCER_ACKS: test-service sets producer.acks itself: acks=all is what makes a write durable",
                        "Invalid value 50 for OFFPEAK_KAFKA_LINGER_MS: test-service sets linger.ms itself: set OFFPEAK_TEST_LINGER instead",
                        "Invalid value k:9092 for OFFPEAK_KAFKA_BOOTSTRAP_SERVERS: test-service sets bootstrap.servers itself: set OFFPEAK_KAFKA_BOOTSTRAP instead",
                        "Invalid value com.example.Avro for OFFPEAK_KAFKA_VALUE_SERIALIZER: test-service sets value.serializer itself: "
                                + "the records are the JSON the schemas module defines",
                        "Invalid value PLAIN for OFFPEAK_KAFKA_SASL__MECHANISM: must be OFFPEAK_KAFKA_ followed by a Kafka client "
                                + "property in upper case with _ for . (e.g. OFFPEAK_KAFKA_SECURITY_PROTOCOL for security.protocol)"));
    }

    @Test
    void secretsAreMaskedInTheLogInToStringAndInErrors() {
        KafkaClientSettings settings = read(Map.of("OFFPEAK_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "OFFPEAK_KAFKA_SSL_KEY_PASSWORD", "hunter2", "OFFPEAK_KAFKA_SSL_KEYSTORE_KEY", "-----BEGIN hunter2",
                "OFFPEAK_KAFKA_SSL_KEYSTORE_LOCATION", "/etc/kafka/ks.p12"));

        String log = settings.describeTo(new Description()).toString();
        assertThat(log).contains("OFFPEAK_KAFKA_SASL_JAAS_CONFIG=****", "OFFPEAK_KAFKA_SSL_KEY_PASSWORD=****",
                "OFFPEAK_KAFKA_SSL_KEYSTORE_KEY=****", "OFFPEAK_KAFKA_SSL_KEYSTORE_LOCATION=/etc/kafka/ks.p12")
                .doesNotContain("hunter2");
        assertThat(settings.toString()).contains("sasl.jaas.config=****").doesNotContain("hunter2");
        assertThat(settings.properties()).containsEntry("ssl.key.password", "hunter2");

        Map<String, String> owned = Map.of("OFFPEAK_KAFKA_KEY_SERIALIZER", "hunter2", "OFFPEAK_KAFKA_SASL_JAAS__CONFIG", JAAS);
        assertThatThrownBy(() -> read(owned)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).hasSize(2).allSatisfy(p -> assertThat(p).startsWith("Invalid value **** for "));
            assertThat(e.getMessage()).doesNotContain("hunter2");
        });
    }

    @Test
    void secretPropertyNames() {
        assertThat(KafkaClientSettings.isSecret("sasl.jaas.config")).isTrue();
        assertThat(KafkaClientSettings.isSecret("ssl.key.password")).isTrue();
        assertThat(KafkaClientSettings.isSecret("ssl.keystore.password")).isTrue();
        assertThat(KafkaClientSettings.isSecret("ssl.truststore.password")).isTrue();
        assertThat(KafkaClientSettings.isSecret("ssl.keystore.key")).isTrue();
        assertThat(KafkaClientSettings.isSecret("sasl.oauthbearer.client.credentials.client.secret")).isTrue();
        assertThat(KafkaClientSettings.isSecret("sasl.oauthbearer.assertion.private.key.passphrase")).isTrue();
        assertThat(KafkaClientSettings.isSecret("sasl.oauthbearer.token.endpoint.url")).isTrue();
        assertThat(KafkaClientSettings.isSecret("security.protocol")).isFalse();
        assertThat(KafkaClientSettings.isSecret("sasl.mechanism")).isFalse();
        assertThat(KafkaClientSettings.isSecret("ssl.keystore.location")).isFalse();
        assertThat(KafkaClientSettings.isSecret("ssl.keystore.type")).isFalse();
        assertThat(KafkaClientSettings.isSecret("ssl.truststore.certificates")).isFalse();
    }
}
