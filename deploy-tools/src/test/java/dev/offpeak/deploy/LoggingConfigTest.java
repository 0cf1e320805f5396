package dev.offpeak.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The logging configuration each service ships (slf4j-simple's {@code simplelogger.properties}): the
 * three are the same file, because a classpath with all three (the CLI's; the processes of a chaos
 * run) gets whichever comes first; the service at INFO, Kafka's clients at WARN.
 */
class LoggingConfigTest {
    private static final String FILE = "/src/main/resources/simplelogger.properties";

    @Test
    void everyServiceShipsTheSameFileWithKafkaAtWarnAndTheServiceAtInfo() throws IOException {
        String ingest = DeployFiles.text("ingest-service" + FILE);
        assertThat(DeployFiles.text("batcher-service" + FILE)).isEqualTo(ingest);
        assertThat(DeployFiles.text("result-service" + FILE)).isEqualTo(ingest);

        Properties levels = new Properties();
        levels.load(new StringReader(ingest));
        assertThat(levels).containsEntry("org.slf4j.simpleLogger.defaultLogLevel", "info")
                .containsEntry("org.slf4j.simpleLogger.log.org.apache.kafka", "warn")
                .doesNotContainKey("org.slf4j.simpleLogger.log.dev.offpeak");
    }
}
