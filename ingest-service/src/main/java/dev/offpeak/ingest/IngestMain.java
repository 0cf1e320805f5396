package dev.offpeak.ingest;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the ingest service: wires the service, starts it, and stops it on SIGTERM. */
public final class IngestMain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestMain.class);

    private final CountDownLatch stopped = new CountDownLatch(1);

    private IngestMain() {}

    /** Starts the service; the returned handle stops it. */
    public static IngestMain start() {
        IngestMain service = new IngestMain();
        log.info("ingest service started");
        return service;
    }

    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    @Override
    public void close() {
        if (stopped.getCount() > 0) {
            stopped.countDown();
            log.info("ingest service stopped");
        }
    }

    public static void main(String[] args) throws InterruptedException {
        IngestMain service = start();
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "ingest-shutdown"));
        service.stopped.await();
    }
}
