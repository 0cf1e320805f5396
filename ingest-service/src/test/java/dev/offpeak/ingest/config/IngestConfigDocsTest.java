package dev.offpeak.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.config.ConfigKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table lists exactly the keys IngestConfig reads. */
class IngestConfigDocsTest {
    @Test
    void theReadmeTableListsEveryKeyConstantAndNoOther() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(IngestConfig.keys()).contains(IngestConfig.TOKEN_FILE, IngestConfig.BOOTSTRAP);
        assertThat(ConfigKeys.documented(readme, "Configuration")).containsExactlyElementsOf(IngestConfig.keys());
    }
}
