package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.config.ConfigException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the batcher process: load config, start the service, stop it on SIGTERM. Exits 2
 * on bad configuration and 1 when the service cannot start (e.g. no {@code offpeak.tasks} to size
 * its repartition topic by) or the Streams instance fails, so a supervisor restarts it.
 */
public final class BatcherMain {
    private static final Logger log = LoggerFactory.getLogger(BatcherMain.class);

    private BatcherMain() {}

    public static void main(String[] args) throws Exception {
        BatcherConfig config;
        try {
            config = BatcherConfig.fromEnv();
        } catch (ConfigException e) {
            log.error("{}", e.getMessage());
            System.exit(2);
            return;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BatcherService service;
        try {
            service = BatcherService.start(config, registry);
        } catch (IllegalStateException e) {
            log.error("batcher could not start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        BatcherHttp http = BatcherHttp.start(config.httpPort(), service, registry);
        log.info("batcher health and metrics on port {}", http.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.close();
            service.close();
        }, "batcher-shutdown"));
        KafkaStreams.State end = service.terminated().get();
        if (end == KafkaStreams.State.ERROR) {
            log.error("batcher stopped on an error; exiting");
            System.exit(1);
        }
    }
}
