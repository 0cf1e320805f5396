package dev.offpeak.result.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.config.ConfigException;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.RequestedMode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModeChooserTest {
    @Test
    void laneModesParseWithAWildcardForEveryOtherLaneAndTenantEntries() {
        assertThat(ModeChooser.parse("openai/o4-mini=auto, *=batch, anthropic/claude-haiku-4-5 = SYNC,"
                + " acme:*=flex, acme:openai/ft:gpt-4o-mini:org:custom=sync"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("openai/o4-mini", RequestedMode.AUTO,
                        "*", RequestedMode.BATCH, "anthropic/claude-haiku-4-5", RequestedMode.SYNC,
                        "acme:*", RequestedMode.FLEX, "acme:openai/ft:gpt-4o-mini:org:custom", RequestedMode.SYNC));
        assertThat(ModeChooser.parse(null)).isEmpty();
    }

    @Test
    void aLineTakesTheMostSpecificEntryTenantBeforeLane() {
        ModeChooser chooser = new ModeChooser(ModelRegistry.loadDefault(), ModeChooser.parse(
                "acme:openai/o4-mini=sync, acme:*=flex, openai/o4-mini=auto, *=batch"), 8);
        assertThat(chooser.configured(Provider.OPENAI, "o4-mini", "acme").mode()).isEqualTo(RequestedMode.SYNC);
        assertThat(chooser.configured(Provider.OPENAI, "gpt-5-mini", "acme"))
                .isEqualTo(new ModeChooser.Asked(RequestedMode.FLEX, "asked by lane modes acme:*"));
        assertThat(chooser.configured(Provider.OPENAI, "o4-mini", "initech").mode()).isEqualTo(RequestedMode.AUTO);
        assertThat(chooser.configured(Provider.ANTHROPIC, "claude-sonnet-4-5", null))
                .isEqualTo(new ModeChooser.Asked(RequestedMode.BATCH, "asked by lane modes *"));
        assertThat(new ModeChooser(ModelRegistry.loadDefault(), Map.of(), 8)
                .configured(Provider.OPENAI, "o4-mini", "acme")).isEqualTo(new ModeChooser.Asked(RequestedMode.BATCH, null));
    }

    @Test
    void turnaroundSaysWhetherItIsHistoryOrTheDefault() {
        assertThat(new ModeChooser.Turnaround(Duration.ofHours(24), null, 2, "batches"))
                .hasToString("24h (default: 2 batches of history)");
        assertThat(new ModeChooser.Turnaround(Duration.ofSeconds(150), Duration.ofSeconds(40), 37, "calls"))
                .hasToString("2m (p95; p50 40s, 37 calls)");
    }

    @Test
    void synchronousTurnaroundCountsTheLinesQueuedAheadAndTheConfiguredRateLimit() {
        // 20 lines of its own behind 60 queued, 8 at a time: 10 rounds of 3 s
        ModeChooser.Queue queue = new ModeChooser.Queue(20, 60, 50, 100_000);
        assertThat(queue.time(Duration.ofSeconds(3), 8, null)).isEqualTo(Duration.ofSeconds(30));
        // 50 lines of the model at 10 a minute take 5 minutes, more than the calls themselves
        assertThat(queue.rateFloor(new SyncThrottle.Limit(10, 0))).isEqualTo(Duration.ofMinutes(5));
        assertThat(queue.time(Duration.ofSeconds(3), 8, new SyncThrottle.Limit(10, 0))).isEqualTo(Duration.ofMinutes(5));
        // 100,000 estimated input tokens at 40,000 a minute: 2.5 minutes; the slower of the two limits counts
        assertThat(queue.rateFloor(new SyncThrottle.Limit(100, 40_000))).isEqualTo(Duration.ofSeconds(150));
        assertThat(queue.time(Duration.ofSeconds(3), 8, new SyncThrottle.Limit(6_000, 1_000_000)))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(new ModeChooser.Turnaround(Duration.ofMinutes(5), null, 0, "calls",
                ", behind 60 queued lines, rate limit rpm:10 allows it in 5m"))
                .hasToString("5m (default: 0 calls of history), behind 60 queued lines, rate limit rpm:10 allows it in 5m");
    }

    @Test
    void aBadEntryIsNamed() {
        assertThatThrownBy(() -> ModeChooser.parse("gpt-4o-mini=auto"))
                .hasMessageContaining("'gpt-4o-mini=auto' is not [tenant:]provider/model=mode");
        assertThatThrownBy(() -> ModeChooser.parse("Acme Corp:*=auto"))
                .hasMessageContaining("'Acme Corp:*=auto' is not [tenant:]provider/model=mode");
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
