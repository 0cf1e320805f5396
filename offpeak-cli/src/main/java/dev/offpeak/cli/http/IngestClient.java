package dev.offpeak.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.cli.CliException;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The few ingest-service calls the CLI makes: bulk NDJSON, an OpenAI batch input file, and the
 * job seal. Every failure becomes a {@link CliException} that names the URL and, for rejected
 * lines, the line numbers and reasons ingest gave.
 */
public final class IngestClient {
    /** What ingest said about one upload; rejections read "line N: reason", N counted in the caller's file. */
    public record Upload(int accepted, int rejected, List<String> rejections) {}

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public IngestClient(String baseUrl, String token) {
        URI uri;
        try {
            uri = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        } catch (IllegalArgumentException e) {
            throw new CliException("not a URL: " + baseUrl);
        }
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
            throw new CliException("not an http(s) URL: " + baseUrl + " (e.g. http://localhost:8080)");
        }
        this.base = uri;
        this.token = token;
    }

    /** POST /v1/tasks:bulk with these NDJSON lines; line numbers in errors count from {@code firstLine}. */
    public Upload bulk(List<String> lines, int firstLine) {
        byte[] body = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        return upload(post("/v1/tasks:bulk", "application/x-ndjson", body), firstLine);
    }

    /** POST /v1/jobs/{job}/openai-batch with the lines of an OpenAI batch input file. */
    public Upload openAiBatch(String jobId, List<String> lines, int firstLine) {
        byte[] body = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        return upload(post("/v1/jobs/" + jobId + "/openai-batch", "application/jsonl", body), firstLine);
    }

    /** POST /v1/jobs/{job}:seal: no more tasks; the batcher flushes the job's open batches. */
    public void seal(String jobId, long taskCount) {
        byte[] body = ("{\"task_count\":" + taskCount + "}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = post("/v1/jobs/" + jobId + ":seal", "application/json", body);
        if (response.statusCode() != 202) {
            throw new CliException("sealing job " + jobId + " failed: " + describe(response));
        }
    }

    private Upload upload(HttpResponse<String> response, int firstLine) {
        JsonNode answer = parse(response);
        if (answer == null || !answer.has("accepted")) {
            throw new CliException(base + " refused the upload: " + describe(response));
        }
        List<String> rejections = new java.util.ArrayList<>();
        for (JsonNode r : answer.path("rejected_lines")) {
            rejections.add("line " + (firstLine + r.path("line").asInt(1) - 1) + ": "
                    + r.path("error").path("message").asText(r.path("error").toString()));
        }
        if (response.statusCode() != 202 && answer.path("accepted").asInt() == 0) {
            String first = rejections.isEmpty() ? describe(response) : rejections.getFirst();
            throw new CliException("no line accepted by " + base + ": " + first
                    + (rejections.size() > 1 ? " (and " + (rejections.size() - 1) + " more)" : ""));
        }
        return new Upload(answer.path("accepted").asInt(), answer.path("rejected").asInt()
                + answer.path("not_sent").asInt(), rejections);
    }

    private HttpResponse<String> post(String path, String contentType, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliException("cannot connect to ingest at " + base + " (is `offpeak local` running? "
                    + "check --url)");
        } catch (HttpTimeoutException e) {
            throw new CliException("ingest at " + base + " did not answer in time");
        } catch (IOException e) {
            throw new CliException("request to " + base + path + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while talking to " + base);
        }
        if (response.statusCode() == 401) {
            throw new CliException("ingest at " + base + " rejected the token (" + response.statusCode()
                    + "): pass --token, or use the one in endpoints.json");
        }
        if (response.statusCode() == 404 && parse(response) == null) {
            throw new CliException(base + path + " answered 404: is " + base + " an Offpeak ingest URL?");
        }
        return response;
    }

    private static JsonNode parse(HttpResponse<String> response) {
        try {
            JsonNode node = Json.mapper().readTree(response.body());
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(HttpResponse<String> response) {
        JsonNode body = parse(response);
        String message = body == null ? response.body() : body.path("error").path("message").asText(response.body());
        return "HTTP " + response.statusCode() + ": " + (message.length() > 300 ? message.substring(0, 300) + "..." : message);
    }
}
