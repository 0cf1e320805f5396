package dev.offpeak.batcher;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the batcher service: wires the service, starts it, and stops it on SIGTERM. */
public final class BatcherMain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatcherMain.class);

    private final CountDownLatch stopped = new CountDownLatch(1);

    private BatcherMain() {}

    /** Starts the service; the returned handle stops it. */
    public static BatcherMain start() {
        BatcherMain service = new BatcherMain();
        log.info("batcher service started");
        return service;
    }

    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    @Override
    public void close() {
        if (stopped.getCount() > 0) {
            stopped.countDown();
            log.info("batcher service stopped");
        }
    }

    public static void main(String[] args) throws InterruptedException {
        BatcherMain service = start();
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "batcher-shutdown"));
        service.stopped.await();
    }
}
