package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Real HTTP against the emulator with the JDK client, the way a provider SDK would call it. */
final class TestHttp {
    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;
    private final Map<String, String> headers;

    TestHttp(String base, Map<String, String> headers) {
        this.base = base;
        this.headers = headers;
    }

    static TestHttp openAi(ProviderEmulator emu, String key) {
        return new TestHttp(emu.openAiBaseUrl(), key == null ? Map.of() : Map.of("Authorization", "Bearer " + key));
    }

    static TestHttp anthropic(ProviderEmulator emu, String key) {
        return new TestHttp(emu.anthropicBaseUrl(), key == null ? Map.of("anthropic-version", "2023-06-01")
                : Map.of("x-api-key", key, "anthropic-version", "2023-06-01"));
    }

    static TestHttp gemini(ProviderEmulator emu, String key) {
        return new TestHttp(emu.geminiBaseUrl(), key == null ? Map.of() : Map.of("x-goog-api-key", key));
    }

    static TestHttp admin(ProviderEmulator emu) {
        return new TestHttp(emu.baseUrl() + "/_emulator", Map.of());
    }

    record Resp(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return Json.parse(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        List<JsonNode> jsonl() {
            List<JsonNode> out = new ArrayList<>();
            for (String line : body.split("\n")) {
                if (!line.isBlank()) {
                    try {
                        out.add(Json.parse(line));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            return out;
        }
    }

    Resp get(String path) {
        return send(request(path).GET());
    }

    Resp delete(String path) {
        return send(request(path).DELETE());
    }

    Resp post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Any method with a JSON body (PATCH, for one). */
    Resp send(String method, String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)));
    }

    Resp post(String path, String contentType, HttpRequest.BodyPublisher body, Map<String, String> extra) {
        HttpRequest.Builder b = request(path).header("Content-Type", contentType).POST(body);
        extra.forEach(b::header);
        return send(b);
    }

    /** OpenAI multipart upload of a file on disk, streamed. */
    Resp upload(String path, String purpose, Path file) throws IOException {
        String boundary = "----emulatortest" + System.nanoTime();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + file.getFileName() + "\"\r\nContent-Type: application/jsonl\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofByteArray(tail));
        return post(path, "multipart/form-data; boundary=" + boundary, body, Map.of());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        headers.forEach(b::header);
        return b;
    }

    private Resp send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
