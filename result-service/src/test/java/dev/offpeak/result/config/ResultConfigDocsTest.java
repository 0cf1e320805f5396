package dev.offpeak.result.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.config.ConfigKeys;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's table under "Configuration (environment)" lists exactly the key constants of ResultConfig. */
class ResultConfigDocsTest {
    @Test
    void theReadmeTableListsEveryKeyConstantAndNoOther() {
        assertThat(ConfigKeys.documented(Path.of("README.md"), "Configuration (environment)")).isNotEmpty().containsExactlyElementsOf(ResultConfig.keys());
    }
}
