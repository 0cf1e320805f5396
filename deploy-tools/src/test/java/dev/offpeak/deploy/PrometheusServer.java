package dev.offpeak.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (the Debian package's binary) in a child process, scraping the given
 * targets every second and evaluating deploy/prometheus/offpeak-rules.yml every second. The rules file
 * is used as it is except for the recording group's evaluation interval (1m → 1s), so a test does not
 * wait minutes for the first evaluation.
 */
final class PrometheusServer implements AutoCloseable {
    private final Process process;
    private final URI base;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** @param targets job name → metrics URL */
    static PrometheusServer start(Path binary, Path dir, Map<String, URI> targets) throws IOException {
        Files.createDirectories(dir);
        String rules = DeployFiles.text("deploy/prometheus/offpeak-rules.yml").replace("interval: 1m", "interval: 1s");
        Path rulesFile = Files.writeString(dir.resolve("offpeak-rules.yml"), rules);
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                """.formatted(rulesFile));
        targets.forEach((job, url) -> config.append("""
                  - job_name: %s
                    metrics_path: %s
                    static_configs:
                      - targets: ["%s:%d"]
                """.formatted(job, url.getPath(), url.getHost(), url.getPort())));
        Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config.toString());
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), log);
    }

    /** GET /api/v1/...; the {@code data} of a successful answer, or an AssertionError with the body. */
    JsonNode api(String pathAndQuery) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/" + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = DeployFiles.JSON.readTree(response.body());
            if (!"success".equals(body.path("status").asText())) {
                throw new AssertionError("Prometheus answered " + response.statusCode() + " to " + pathAndQuery + ": "
                        + response.body());
            }
            return body.path("data");
        } catch (IOException e) {
            throw new AssertionError("Prometheus at " + base + " did not answer " + pathAndQuery + " (log: " + log() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** An instant query's result vector. */
    JsonNode query(String promql) {
        return api("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
