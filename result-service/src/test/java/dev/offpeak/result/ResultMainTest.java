package dev.offpeak.result;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResultMainTest {
    @Test
    void startsAndStopsCleanly() {
        ResultMain service = ResultMain.start();
        assertThat(service.isRunning()).isTrue();
        service.close();
        assertThat(service.isRunning()).isFalse();
        service.close(); // idempotent
        assertThat(service.isRunning()).isFalse();
    }
}
