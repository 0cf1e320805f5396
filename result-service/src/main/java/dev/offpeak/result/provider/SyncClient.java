package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.Map;

/**
 * Runs one provider batch line as a synchronous call, for lines that go by flex or at the list
 * price instead of in a batch (a deadline rescue): OpenAI {@code POST /v1/chat/completions},
 * {@code /v1/responses}, {@code /v1/embeddings} (with {@code service_tier: "flex"} in flex mode),
 * Anthropic {@code POST /v1/messages}, Gemini {@code POST /v1beta/models/{model}:generateContent}.
 *
 * <p>The provider's answer is turned into the line its batch results file would have held for the
 * same request and read by the same parser ({@link OpenAiFormat}, {@link AnthropicFormat},
 * {@link GeminiFormat}), so a line settles, is priced and is retried the same way whichever way it
 * ran. A refusal (4xx other than 408 / 429) is the request's errored result; 408, 429 (flex load
 * shedding included) and 5xx are RetryLater, for the caller's backoff.
 */
public final class SyncClient implements SyncCaller, AutoCloseable {
    private final Provider provider;
    private final HttpCalls http;

    public SyncClient(Provider provider, ProviderEndpoint endpoint, InstantSource clock) {
        this.provider = provider;
        this.http = new HttpCalls(provider, endpoint, switch (provider) {
            case OPENAI -> Map.of("Authorization", "Bearer " + endpoint.apiKey());
            case ANTHROPIC -> Map.of("x-api-key", endpoint.apiKey(), "anthropic-version", AnthropicBatchClient.API_VERSION);
            case GEMINI -> Map.of("x-goog-api-key", endpoint.apiKey());
        }, clock);
    }

    /**
     * The provider's verdict on one request, as the line its batch results file would hold
     * ({@code resultLine}) and as read by that file's parser ({@code result}), with what the answer's
     * headers said of the provider's rate limits ({@code limits}).
     */
    public record Answer(ObjectNode resultLine, ResultLine result, RateLimitHints limits) {
        public Answer(ObjectNode resultLine, ResultLine result) {
            this(resultLine, result, RateLimitHints.NONE);
        }
    }

    /** A stored {@link Answer#resultLine} read again, as settlement reads a results file. */
    public static ResultLine parse(Provider provider, JsonNode resultLine) {
        return switch (provider) {
            case OPENAI -> OpenAiFormat.line(resultLine);
            case ANTHROPIC -> AnthropicFormat.line(resultLine);
            case GEMINI -> GeminiFormat.fileLine(resultLine);
        };
    }

    @Override
    public Outcome<Answer> run(String line, String model, Mode mode) {
        if (mode == Mode.BATCH) {
            throw new IllegalArgumentException("a batch line is not run synchronously");
        }
        JsonNode parsed;
        try {
            parsed = Json.mapper().readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("stored line is not JSON", e);
        }
        return switch (provider) {
            case OPENAI -> openAi(parsed, mode);
            case ANTHROPIC -> anthropic(parsed);
            case GEMINI -> gemini(parsed, model, mode);
        };
    }

    private Outcome<Answer> openAi(JsonNode line, Mode mode) {
        String customId = line.path("custom_id").asText();
        ObjectNode body = ((ObjectNode) line.path("body")).deepCopy();
        if (mode == Mode.FLEX) {
            body.put("service_tier", "flex");
        }
        String path = line.path("url").asText().replaceFirst("^/v1(?=/)", "");
        return http.verdict("call " + path, http.call(path).header("Content-Type", "application/json")
                .POST(HttpCalls.json(body)).build()).map(answer -> {
                    ObjectNode out = Json.mapper().createObjectNode().put("custom_id", customId);
                    out.putObject("response").put("status_code", answer.status()).set("body", answer.body());
                    return new Answer(out, OpenAiFormat.line(out), hints(answer));
                });
    }

    private Outcome<Answer> anthropic(JsonNode line) {
        String customId = line.path("custom_id").asText();
        JsonNode params = line.path("params");
        return http.verdict("messages", http.call("/v1/messages").header("Content-Type", "application/json")
                .POST(HttpCalls.json(params)).build()).map(answer -> {
                    ObjectNode out = Json.mapper().createObjectNode().put("custom_id", customId);
                    ObjectNode result = out.putObject("result");
                    if (answer.status() / 100 == 2) {
                        result.put("type", "succeeded").set("message", answer.body());
                    } else {
                        result.put("type", "errored").set("error", answer.body());
                    }
                    return new Answer(out, AnthropicFormat.line(out), hints(answer));
                });
    }

    private Outcome<Answer> gemini(JsonNode line, String model, Mode mode) {
        String key = line.path("key").asText();
        ObjectNode request = ((ObjectNode) line.path("request")).deepCopy();
        if (mode == Mode.FLEX) {
            request.put("serviceTier", "flex"); // [unconfirmed] field name: see docs/lanes.md
        }
        String path = "/v1beta/models/" + OpenAiBatchClient.seg(model) + ":generateContent";
        return http.verdict("generate_content", http.call(path).header("Content-Type", "application/json")
                .POST(HttpCalls.json(request)).build()).map(answer -> {
                    ObjectNode out = Json.mapper().createObjectNode().put("key", key);
                    if (answer.status() / 100 == 2) {
                        out.set("response", answer.body());
                    } else {
                        JsonNode error = answer.body().path("error");
                        out.set("error", error.isObject() ? error : Json.mapper().createObjectNode()
                                .put("code", answer.status()).put("message", "HTTP " + answer.status()));
                    }
                    return new Answer(out, GeminiFormat.fileLine(out), hints(answer));
                });
    }

    /** Rate limits refill on the wall clock: read against it, whatever clock the service runs on. */
    private RateLimitHints hints(HttpCalls.Answer answer) {
        return RateLimitHints.from(provider, answer.headers(), java.time.Instant.now());
    }

    public Provider provider() {
        return provider;
    }

    @Override
    public void close() {
        http.close();
    }
}
