package dev.offpeak.emulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmulatorConfigTest {
    @Test
    void everyBadValueIsReportedAtOnce() {
        EmulatorConfig bad = EmulatorConfig.defaults().withPort(70000).withRequiredKey(" ")
                .withSpeed(new EmulatorConfig.Speed(0, Duration.ofSeconds(-1), Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertThatThrownBy(bad::validate).hasMessageContaining("Invalid value 70000 for port")
                .hasMessageContaining("Invalid value 0.0 for lines-per-second")
                .hasMessageContaining("Invalid value PT-1S for turnaround")
                .hasMessageContaining("require-key");
    }

    @Test
    void theKeyNeverAppearsInToString() {
        assertThat(EmulatorConfig.defaults().withRequiredKey("sk-secret-123").toString())
                .doesNotContain("sk-secret-123").contains("****");
    }
}
