package dev.offpeak.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DescriptionTest {
    @Test
    void secretsAreMaskedByNameAndOnRequest() {
        String text = new Description()
                .add("OFFPEAK_DB_URL", "jdbc:postgresql://db/offpeak")
                .add("OFFPEAK_DB_PASSWORD", "hunter2")
                .add("OFFPEAK_OPENAI_API_KEY", "sk-live")
                .add("OFFPEAK_INGEST_KAFKA_SASL_JAAS_CONFIG", "password=\"x\"")
                .add("OFFPEAK_RESULT_TOKEN_FILE", "/etc/tokens.json")
                .add("OFFPEAK_BATCHER_TOKEN_LIMITS", "{gpt=5}")
                .secret("CUSTOM", "s3cret")
                .secret("EMPTY", "")
                .toString();

        assertThat(text).isEqualTo(String.join("\n  ", "",
                "OFFPEAK_DB_URL=jdbc:postgresql://db/offpeak",
                "OFFPEAK_DB_PASSWORD=****",
                "OFFPEAK_OPENAI_API_KEY=****",
                "OFFPEAK_INGEST_KAFKA_SASL_JAAS_CONFIG=****",
                "OFFPEAK_RESULT_TOKEN_FILE=/etc/tokens.json",
                "OFFPEAK_BATCHER_TOKEN_LIMITS={gpt=5}",
                "CUSTOM=****",
                "EMPTY=(unset)"));
    }

    @Test
    void propertyNamesAreRecognisedAsSecrets() {
        assertThat(Description.isSecret("ssl.key.password")).isTrue();
        assertThat(Description.isSecret("sasl.jaas.config")).isTrue();
        assertThat(Description.isSecret("security.protocol")).isFalse();
    }
}
