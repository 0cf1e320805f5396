package dev.offpeak.batcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.schemas.events.CloseReason;
import dev.offpeak.schemas.events.Provider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BatcherMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final BatcherMetrics metrics = new BatcherMetrics(registry);

    @Test
    void everyReasonAndProviderIsThereAtZeroBeforeAnythingHappens() {
        for (String reason : DlqRecords.REASONS) {
            assertThat(registry.get(BatcherMetrics.DLQ).tag("reason", reason).counter().count()).isZero();
        }
        for (Provider provider : Provider.values()) {
            for (CloseReason reason : CloseReason.values()) {
                assertThat(registry.get(BatcherMetrics.CLOSED).tag("provider", provider.id()).tag("reason", reason.id())
                        .counter().count()).isZero();
            }
            assertThat(registry.get(BatcherMetrics.BATCH_FILL).tag("provider", provider.id()).summary().count()).isZero();
        }
    }

    @Test
    void countsLandOnTheirTags() {
        metrics.dlq(DlqRecords.TOO_LARGE);
        metrics.batchOpened();
        metrics.batchClosed(Provider.GEMINI, CloseReason.JOB_SEALED, 10, 2_000, 0.25);
        assertThat(registry.get(BatcherMetrics.DLQ).tag("reason", DlqRecords.TOO_LARGE).counter().count()).isEqualTo(1);
        assertThat(registry.get(BatcherMetrics.CLOSED).tag("provider", "gemini").tag("reason", CloseReason.JOB_SEALED.id())
                .counter().count()).isEqualTo(1);
        assertThat(registry.get(BatcherMetrics.BATCH_ITEMS).tag("provider", "gemini").summary().totalAmount()).isEqualTo(10);
        assertThat(registry.get(BatcherMetrics.OPEN_BATCHES).gauge().value()).isZero();
    }

    @Test
    void anUnknownDlqReasonIsABug() {
        assertThatThrownBy(() -> metrics.dlq("made_up")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("made_up");
    }
}
