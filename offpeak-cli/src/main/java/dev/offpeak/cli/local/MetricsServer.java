package dev.offpeak.cli.local;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prometheus scrape endpoints for the embedded services that have no HTTP server of their own
 * (the batcher): {@code /metrics/<service>} on one loopback port.
 */
final class MetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, String> urls = new LinkedHashMap<>();

    MetricsServer(Map<String, PrometheusMeterRegistry> registries) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registries.forEach((service, registry) -> {
            String path = "/metrics/" + service;
            server.createContext(path, exchange -> {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            urls.put(service, "http://127.0.0.1:" + server.getAddress().getPort() + path);
        });
        server.start();
    }

    Map<String, String> urls() {
        return urls;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
