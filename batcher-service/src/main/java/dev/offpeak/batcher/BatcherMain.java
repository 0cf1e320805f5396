package dev.offpeak.batcher;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the batcher process: load config, start the service, stop it on SIGTERM. */
public final class BatcherMain {
    private static final Logger log = LoggerFactory.getLogger(BatcherMain.class);

    private BatcherMain() {}

    public static void main(String[] args) throws InterruptedException {
        BatcherConfig config;
        try {
            config = BatcherConfig.fromEnv();
        } catch (ConfigException e) {
            log.error("{}", e.getMessage());
            System.exit(2);
            return;
        }
        BatcherService service = BatcherService.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "batcher-shutdown"));
        stopped.await();
    }
}
