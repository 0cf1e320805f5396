package dev.offpeak.result.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModeChooserTest {
    @Test
    void laneModesParseWithAWildcardForEveryOtherLane() {
        assertThat(ModeChooser.parse("openai/o4-mini=auto, *=batch, anthropic/claude-haiku-4-5 = SYNC"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("openai/o4-mini", ModeChooser.LaneMode.AUTO,
                        "*", ModeChooser.LaneMode.BATCH, "anthropic/claude-haiku-4-5", ModeChooser.LaneMode.SYNC));
        assertThat(ModeChooser.parse(null)).isEmpty();
    }

    @Test
    void aBadEntryIsNamed() {
        assertThatThrownBy(() -> ModeChooser.parse("gpt-4o-mini=auto"))
                .hasMessageContaining("'gpt-4o-mini=auto' is not provider/model=mode");
        assertThatThrownBy(() -> ModeChooser.parse("openai/gpt-4o-mini=cheap"))
                .hasMessageContaining("mode must be batch, flex, sync or auto");
        assertThatThrownBy(() -> ResultConfig.fromEnv(Map.of(ResultConfig.DB_URL, "jdbc:postgresql://db/offpeak",
                ResultConfig.KAFKA_BOOTSTRAP, "localhost:9092", ResultConfig.LANE_MODES, "openai/gpt-4o-mini=cheap",
                ResultConfig.RESCUE_BUFFER, "soon", ResultConfig.RESCUE_PROVIDERS, "openai,acme",
                ResultConfig.SYNC_CONCURRENCY, "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value openai/gpt-4o-mini=cheap for " + ResultConfig.LANE_MODES)
                .hasMessageContaining("Invalid value soon for " + ResultConfig.RESCUE_BUFFER)
                .hasMessageContaining("Invalid value openai,acme for " + ResultConfig.RESCUE_PROVIDERS)
                .hasMessageContaining("Invalid value 0 for " + ResultConfig.SYNC_CONCURRENCY);
    }
}
