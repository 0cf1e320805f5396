package dev.offpeak.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.config.ConfigException;
import dev.offpeak.ingest.config.IngestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up refuses a bad token file with every problem, before touching Kafka or a port. */
class IngestServiceStartTest {
    @Test
    void aBadTokenFileIsAConfigErrorNamingTheKeyAndEveryEntry(@TempDir Path dir) throws IOException {
        Path tokens = Files.writeString(dir.resolve("tokens.json"), """
                {"tenants": [{"tenant": "Bad Name", "token_sha256": ["raw-token"]}, {"tenant": "ok"}]}""");
        IngestConfig config = IngestConfig.defaults().withPort(0).withTokenFile(tokens);

        assertThatThrownBy(() -> IngestService.start(config)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).hasSize(3).allSatisfy(p -> assertThat(p).startsWith("OFFPEAK_INGEST_TOKEN_FILE"));
            assertThat(e.getMessage()).doesNotContain("raw-token");
        });
    }

    @Test
    void badLaneShardsOfAnEmbedderAreAConfigErrorBeforeKafkaIsTouched(@TempDir Path dir) {
        IngestConfig config = IngestConfig.defaults().withPort(0).withTokenFile(TestTenants.write(dir))
                .withLaneShards(java.util.Map.of("gpt-4o-mini", 2000));
        assertThatThrownBy(() -> IngestService.start(config)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).containsExactly("Invalid value gpt-4o-mini=2000 for laneShards: "
                        + "entry 'gpt-4o-mini=2000' must be name=number with a number between 1 and 1024"));
    }

    @Test
    void aBadModelRegistryOverrideFileIsAConfigErrorNamingEveryBadEntry(@TempDir Path dir) throws IOException {
        Path tokens = Files.writeString(dir.resolve("tokens.json"), """
                {"tenants": [{"tenant": "ok", "token_sha256": ["%s"]}]}""".formatted("a".repeat(64)));
        Path models = Files.writeString(dir.resolve("models.json"), """
                {"models": [{"provider": "openai", "model": "gpt-7", "context_window": "big",
                             "prices": [{"effective_from": "2026-12-01", "input": 2, "output": "8", "source": "s"}]}]}""");
        IngestConfig config = IngestConfig.defaults().withPort(0).withTokenFile(tokens).withModelRegistryFile(models);

        assertThatThrownBy(() -> IngestService.start(config)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).hasSize(2).allSatisfy(p -> assertThat(p).startsWith(
                        "OFFPEAK_MODEL_REGISTRY_FILE (" + models + "): ")).anySatisfy(p -> assertThat(p)
                        .contains("context_window: must be a whole number >= 1, was \"big\""))
                        .anySatisfy(p -> assertThat(p).contains("input: must be a decimal string")));
    }
}
