package dev.offpeak.result;

import dev.offpeak.config.ConfigException;
import dev.offpeak.result.config.ResultConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CountDownLatch;

/** Entry point of result-service: load config, start, stop on SIGTERM. */
public final class ResultMain {
    private ResultMain() {}

    public static void main(String[] args) throws InterruptedException {
        ResultConfig config;
        try {
            config = ResultConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        ResultService service = ResultService.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "result-shutdown"));
        stopped.await();
    }
}
