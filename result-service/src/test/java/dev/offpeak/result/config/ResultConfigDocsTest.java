package dev.offpeak.result.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.config.ConfigKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table lists exactly the keys ResultConfig reads. */
class ResultConfigDocsTest {
    @Test
    void theReadmeTableListsEveryKeyConstantAndNoOther() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(ResultConfig.keys()).contains(ResultConfig.DB_URL, ResultConfig.GEMINI_API_KEY);
        assertThat(ConfigKeys.documented(readme, "Configuration (environment)"))
                .containsExactlyElementsOf(ResultConfig.keys());
    }
}
