package dev.offpeak.emulator.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Ids;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.RequestRulesCheck;
import dev.offpeak.emulator.TextSynth;
import dev.offpeak.emulator.TokenCounter;
import java.util.HashSet;
import java.util.Set;

/**
 * The Messages API side of an Anthropic batch line: asynchronous {@code params} validation (errors
 * become {@code errored} results, not HTTP errors), token usage with prompt caching, and the
 * deterministic {@code message}. Tokens are estimated at four characters per token.
 */
public final class AnthropicAnswers {
    private final int minCacheable;
    private final Set<String> written = new HashSet<>();

    /** One instance per batch: the first request with a cache_control prefix writes it, later ones read it. */
    public AnthropicAnswers(int minCacheable) {
        this.minCacheable = minCacheable;
    }

    /**
     * The error of an {@code errored} result for these params, or null: bad params first, then what the
     * model cannot take ({@link AnthropicModelChecks#anthropic}). {@link ApiException#code()} is the error type.
     */
    public static ApiException error(JsonNode params, ModelCatalog models) {
        String bad = paramError(params);
        return bad != null ? new ApiException(400, bad, null, "invalid_request_error")
                : AnthropicModelChecks.anthropic(models, params);
    }

    /** The invalid_request_error message for bad params, or null. */
    public static String paramError(JsonNode params) {
        if (!params.path("model").isTextual()) {
            return "model: Field required";
        }
        return RequestRulesCheck.firstProblem(Provider.ANTHROPIC, "/v1/messages", params)
                .map(AnthropicRuleErrors::message).orElse(null);
    }

    /** The prompt text as the estimate sees it, and where the last cache_control breakpoint ends. */
    record Prompt(int chars, int cachedChars, String cacheKey, boolean oneHour) {
    }

    static Prompt prompt(JsonNode params) {
        StringBuilder sb = new StringBuilder();
        int breakpoint = 0;
        boolean oneHour = false;
        for (JsonNode tool : params.path("tools")) {
            sb.append(tool.toString());
            if (tool.has("cache_control")) {
                breakpoint = sb.length();
                oneHour = "1h".equals(tool.at("/cache_control/ttl").asText());
            }
        }
        JsonNode system = params.path("system");
        if (system.isTextual()) {
            sb.append(system.asText());
        }
        for (JsonNode block : system.isArray() ? system : Json.array()) {
            sb.append(block.path("text").asText(block.toString()));
            if (block.has("cache_control")) {
                breakpoint = sb.length();
                oneHour = "1h".equals(block.at("/cache_control/ttl").asText());
            }
        }
        for (JsonNode m : params.path("messages")) {
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                sb.append(content.asText());
                continue;
            }
            for (JsonNode block : content) {
                sb.append(block.path("text").asText(block.toString()));
                if (block.has("cache_control")) {
                    breakpoint = sb.length();
                    oneHour = "1h".equals(block.at("/cache_control/ttl").asText());
                }
            }
        }
        String key = breakpoint == 0 ? null
                : params.path("model").asText() + "|" + Ids.sha256Hex(sb.substring(0, breakpoint));
        return new Prompt(sb.length(), breakpoint, key, oneHour);
    }

    /** Estimated prompt tokens of a request (for queue accounting at create). */
    public static int promptTokens(JsonNode params) {
        return TokenCounter.estimate(prompt(params).chars());
    }

    /** The {@code message} of a succeeded result; remembers cache writes for later requests. */
    public ObjectNode message(JsonNode params) {
        Prompt p = prompt(params);
        int total = TokenCounter.estimate(p.chars());
        int prefix = TokenCounter.estimate(p.cachedChars());
        int write = 0;
        int read = 0;
        if (p.cacheKey() != null && prefix >= minCacheable) {
            if (written.add(p.cacheKey())) {
                write = prefix;
            } else {
                read = prefix;
            }
        }
        String seed = params.toString();
        int natural = TextSynth.naturalLength(seed);
        int output = (int) Math.min(natural, params.path("max_tokens").asLong());
        ObjectNode msg = Json.object();
        msg.put("id", "msg_01" + Ids.derivedBase58(seed, 22));
        msg.put("type", "message");
        msg.put("role", "assistant");
        msg.put("model", params.path("model").asText());
        msg.putArray("content").addObject().put("type", "text").put("text", TextSynth.words(seed, output));
        msg.put("stop_reason", output < natural ? "max_tokens" : "end_turn");
        msg.putNull("stop_sequence");
        ObjectNode usage = msg.putObject("usage");
        usage.put("input_tokens", total - write - read);
        usage.put("cache_creation_input_tokens", write);
        usage.put("cache_read_input_tokens", read);
        usage.putObject("cache_creation").put("ephemeral_5m_input_tokens", p.oneHour() ? 0 : write)
                .put("ephemeral_1h_input_tokens", p.oneHour() ? write : 0);
        usage.put("output_tokens", output);
        usage.put("service_tier", "batch");
        return msg;
    }
}
