package dev.offpeak.batcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.config.ConfigKeys;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's table under "Configuration" lists exactly the key constants of BatcherConfig. */
class BatcherConfigDocsTest {
    @Test
    void theReadmeTableListsEveryKeyConstantAndNoOther() {
        assertThat(ConfigKeys.documented(Path.of("README.md"), "Configuration")).isNotEmpty().containsExactlyElementsOf(BatcherConfig.keys());
    }
}
