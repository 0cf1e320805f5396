package dev.offpeak.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.config.ConfigKeys;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's table under "Configuration" lists exactly the key constants of IngestConfig. */
class IngestConfigDocsTest {
    @Test
    void theReadmeTableListsEveryKeyConstantAndNoOther() {
        assertThat(ConfigKeys.documented(Path.of("README.md"), "Configuration")).isNotEmpty().containsExactlyElementsOf(IngestConfig.keys());
    }
}
