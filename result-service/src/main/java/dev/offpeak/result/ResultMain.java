package dev.offpeak.result;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the result service: wires the service, starts it, and stops it on SIGTERM. */
public final class ResultMain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultMain.class);

    private final CountDownLatch stopped = new CountDownLatch(1);

    private ResultMain() {}

    /** Starts the service; the returned handle stops it. */
    public static ResultMain start() {
        ResultMain service = new ResultMain();
        log.info("result service started");
        return service;
    }

    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    @Override
    public void close() {
        if (stopped.getCount() > 0) {
            stopped.countDown();
            log.info("result service stopped");
        }
    }

    public static void main(String[] args) throws InterruptedException {
        ResultMain service = start();
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "result-shutdown"));
        service.stopped.await();
    }
}
