package dev.offpeak.batcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.config.ConfigKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table lists exactly the keys BatcherConfig reads. */
class BatcherConfigDocsTest {
    @Test
    void theReadmeTableListsEveryKeyConstantAndNoOther() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(BatcherConfig.keys()).contains(BatcherConfig.HTTP_PORT, BatcherConfig.GEMINI_MAX_BYTES);
        assertThat(ConfigKeys.documented(readme, "Configuration")).containsExactlyElementsOf(BatcherConfig.keys());
    }
}
