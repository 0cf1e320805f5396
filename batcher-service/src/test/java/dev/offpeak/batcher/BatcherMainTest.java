package dev.offpeak.batcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatcherMainTest {
    @Test
    void startsAndStopsCleanly() {
        BatcherMain service = BatcherMain.start();
        assertThat(service.isRunning()).isTrue();
        service.close();
        assertThat(service.isRunning()).isFalse();
        service.close(); // idempotent
        assertThat(service.isRunning()).isFalse();
    }
}
