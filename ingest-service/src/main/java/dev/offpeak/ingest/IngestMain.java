package dev.offpeak.ingest;

import dev.offpeak.config.ConfigException;
import dev.offpeak.ingest.config.IngestConfig;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point: load config from the environment, start the service, stop it on SIGTERM. */
public final class IngestMain {
    private static final Logger log = LoggerFactory.getLogger(IngestMain.class);

    private IngestMain() {}

    public static void main(String[] args) throws InterruptedException {
        IngestService service;
        try {
            service = IngestService.start(IngestConfig.fromEnv(System.getenv()));
        } catch (ConfigException e) {
            log.error(e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "ingest-shutdown"));
        stopped.await();
    }
}
