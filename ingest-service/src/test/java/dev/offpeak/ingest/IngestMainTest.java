package dev.offpeak.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IngestMainTest {
    @Test
    void startsAndStopsCleanly() {
        IngestMain service = IngestMain.start();
        assertThat(service.isRunning()).isTrue();
        service.close();
        assertThat(service.isRunning()).isFalse();
        service.close(); // idempotent
        assertThat(service.isRunning()).isFalse();
    }
}
