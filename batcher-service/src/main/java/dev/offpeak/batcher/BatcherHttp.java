package dev.offpeak.batcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The batcher's small HTTP side for probes and scraping: {@code /health/live} (the Streams instance
 * has not died), {@code /health/ready} (it is RUNNING and connected to the cluster), {@code /metrics} (Prometheus). Three routes
 * need no web framework; the JDK's server is enough.
 */
public final class BatcherHttp implements AutoCloseable {
    private final HttpServer server;

    private BatcherHttp(HttpServer server) {
        this.server = server;
    }

    public static BatcherHttp start(int port, BatcherService service, PrometheusMeterRegistry registry)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/health/live", ex -> {
            boolean live = service.isRunning();
            send(ex, live ? 200 : 503, "application/json", "{\"status\":\"" + (live ? "up" : "down") + "\"}");
        });
        server.createContext("/health/ready", ex -> {
            KafkaStreams.State state = service.state();
            boolean connected = service.brokerReachable();
            boolean ready = state == KafkaStreams.State.RUNNING && connected;
            send(ex, ready ? 200 : 503, "application/json", "{\"status\":\"" + (ready ? "up" : "down")
                    + "\",\"streams\":\"" + state + "\",\"kafka\":\"" + (connected ? "connected" : "unreachable") + "\"}");
        });
        server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return new BatcherHttp(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
