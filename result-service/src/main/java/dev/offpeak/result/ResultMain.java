package dev.offpeak.result;

import dev.offpeak.config.ConfigException;
import dev.offpeak.result.config.ResultConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of result-service: load config, start, stop on SIGTERM. Exits 2 when the
 * configuration is bad (a key, the token file, a taken port), with one line per problem, and 1
 * when it cannot start for another reason (the database is unreachable).
 */
public final class ResultMain {
    private static final Logger log = LoggerFactory.getLogger(ResultMain.class);

    private ResultMain() {}

    public static void main(String[] args) throws InterruptedException {
        ResultService service;
        try {
            service = ResultService.start(ResultConfig.fromEnv(System.getenv()),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        } catch (ConfigException e) {
            log.error(e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            log.error("result-service cannot start", e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "result-shutdown"));
        stopped.await();
    }
}
