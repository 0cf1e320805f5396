package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Ids;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.RequestRulesCheck;
import dev.offpeak.emulator.TextSynth;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Bodies the OpenAI endpoints would have answered for one batch line: chat completions, responses,
 * embeddings and legacy completions. Everything is derived from the request, so the same request
 * gets the same answer.
 */
public final class OpenAiAnswers {
    private OpenAiAnswers() {
    }

    /**
     * The HTTP error the endpoint would answer this body with, or null: bad parameters first, then what
     * the model cannot take ({@link OpenAiModelChecks#openAi}).
     */
    public static ApiException lineError(ModelCatalog models, String endpoint, JsonNode body, int promptTokens,
            ToIntFunction<String> tokensOf) {
        ApiException bad = paramError(endpoint, body);
        return bad != null ? bad : OpenAiModelChecks.openAi(models, endpoint, body, promptTokens, tokensOf);
    }

    /** The 400 the endpoint would give this body, or null when it is acceptable. */
    public static ApiException paramError(String endpoint, JsonNode body) {
        if (!ENDPOINTS.contains(endpoint)) {
            return new ApiException(400, "The emulator does not answer requests to " + endpoint + ".",
                    null, "unsupported_endpoint");
        }
        return RequestRulesCheck.firstProblem(Provider.OPENAI, endpoint, body).map(p -> OpenAiRuleErrors.of(body, p))
                .orElse(null);
    }

    private static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/responses", "/v1/embeddings",
            "/v1/completions");

    /** The max-tokens cap of the body, or {@code Integer.MAX_VALUE}. */
    public static int maxTokens(String endpoint, JsonNode body) {
        String field = switch (endpoint) {
            case "/v1/chat/completions" -> body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
            case "/v1/responses" -> "max_output_tokens";
            case "/v1/completions" -> "max_tokens";
            default -> null;
        };
        if (field == null || !body.hasNonNull(field)) {
            return "/v1/completions".equals(endpoint) ? 16 : Integer.MAX_VALUE;
        }
        return (int) Math.min(Integer.MAX_VALUE, body.get(field).asLong());
    }

    /** Usage of one answered line. */
    public record Usage(int promptTokens, int cachedTokens, int outputTokens) {
    }

    /**
     * The usage of an answered request at {@code t}: the prompt as the tokenizer counts it, the prefix read
     * from the caller's prompt cache (which remembers this prompt for later ones, batch lines and
     * synchronous calls alike), and the output length (none for embeddings).
     *
     * @param minCacheable the model's minimum cacheable prefix (0 for embeddings: they never cache)
     */
    public static Usage usage(dev.offpeak.emulator.Emulation emu, String endpoint, JsonNode body,
                              com.knuddels.jtokkit.api.Encoding encoding, long minCacheable, String scope,
                              java.time.Instant t) {
        OpenAiPrompt prompt = OpenAiPrompt.of(endpoint, body);
        int[] promptIds = prompt.encode(emu.tokens(), encoding);
        int promptTokens = promptIds.length + prompt.overheadTokens();
        int cached = Math.min(PrefixCache.cachedTokens(emu.openAiCache(), scope, body, promptIds, minCacheable, t,
                emu.config().choices()), promptTokens);
        int output = "/v1/embeddings".equals(endpoint) ? 0
                : Math.min(maxTokens(endpoint, body), TextSynth.naturalLength(TextSynth.seed(body)));
        return new Usage(promptTokens, cached, output);
    }

    /** A batch line's answer (chat completions report {@code service_tier: "default"}). */
    public static ObjectNode answer(String endpoint, JsonNode body, Usage u, long created) {
        return answer(endpoint, body, u, created, null);
    }

    /**
     * @param serviceTier the tier a synchronous call was served in ({@code default} or {@code flex}), reported
     *                    by chat completions and responses; null for a batch line (chat: {@code default},
     *                    responses: no field, as batch output has it)
     */
    public static ObjectNode answer(String endpoint, JsonNode body, Usage u, long created, String serviceTier) {
        String seed = TextSynth.seed(body);
        String model = body.path("model").asText();
        boolean capped = u.outputTokens() < TextSynth.naturalLength(seed);
        String text = TextSynth.words(seed, u.outputTokens());
        ObjectNode out = Json.object();
        switch (endpoint) {
            case "/v1/chat/completions" -> {
                out.put("id", "chatcmpl-" + Ids.derivedBase62(seed, 29));
                out.put("object", "chat.completion");
                out.put("created", created);
                out.put("model", model);
                ObjectNode choice = out.putArray("choices").addObject();
                choice.put("index", 0);
                ObjectNode msg = choice.putObject("message");
                msg.put("role", "assistant");
                msg.put("content", text);
                msg.putNull("refusal");
                msg.putArray("annotations");
                choice.putNull("logprobs");
                choice.put("finish_reason", capped ? "length" : "stop");
                ObjectNode usage = out.putObject("usage");
                usage.put("prompt_tokens", u.promptTokens());
                usage.put("completion_tokens", u.outputTokens());
                usage.put("total_tokens", u.promptTokens() + u.outputTokens());
                usage.putObject("prompt_tokens_details").put("cached_tokens", u.cachedTokens()).put("audio_tokens", 0);
                usage.putObject("completion_tokens_details").put("reasoning_tokens", 0).put("audio_tokens", 0)
                        .put("accepted_prediction_tokens", 0).put("rejected_prediction_tokens", 0);
                out.put("service_tier", serviceTier == null ? "default" : serviceTier);
                out.put("system_fingerprint", "fp_" + Ids.sha256Hex(model).substring(0, 10));
            }
            case "/v1/responses" -> {
                responses(out, body, u, created, seed, capped, text);
                if (serviceTier != null) {
                    out.put("service_tier", serviceTier);
                }
            }
            case "/v1/embeddings" -> embeddings(out, body, u, model);
            default -> {
                out.put("id", "cmpl-" + Ids.derivedBase62(seed, 29));
                out.put("object", "text_completion");
                out.put("created", created);
                out.put("model", model);
                ObjectNode choice = out.putArray("choices").addObject();
                choice.put("text", text);
                choice.put("index", 0);
                choice.putNull("logprobs");
                choice.put("finish_reason", capped ? "length" : "stop");
                ObjectNode usage = out.putObject("usage");
                usage.put("prompt_tokens", u.promptTokens());
                usage.put("completion_tokens", u.outputTokens());
                usage.put("total_tokens", u.promptTokens() + u.outputTokens());
            }
        }
        return out;
    }

    private static void responses(ObjectNode out, JsonNode body, Usage u, long created, String seed, boolean capped,
                                  String text) {
        out.put("id", "resp_" + Ids.sha256Hex(seed).substring(0, 48));
        out.put("object", "response");
        out.put("created_at", created);
        out.put("status", capped ? "incomplete" : "completed");
        out.putNull("error");
        if (capped) {
            out.putObject("incomplete_details").put("reason", "max_output_tokens");
        } else {
            out.putNull("incomplete_details");
        }
        out.set("instructions", body.get("instructions"));
        out.set("max_output_tokens", body.get("max_output_tokens"));
        out.put("model", body.path("model").asText());
        ObjectNode msg = out.putArray("output").addObject();
        msg.put("type", "message");
        msg.put("id", "msg_" + Ids.sha256Hex("msg" + seed).substring(0, 48));
        msg.put("status", capped ? "incomplete" : "completed");
        msg.put("role", "assistant");
        ObjectNode part = msg.putArray("content").addObject();
        part.put("type", "output_text");
        part.put("text", text);
        part.putArray("annotations");
        out.put("parallel_tool_calls", true);
        out.put("temperature", body.path("temperature").asDouble(1.0));
        out.put("tool_choice", "auto");
        out.putArray("tools");
        out.put("top_p", body.path("top_p").asDouble(1.0));
        out.putObject("text").putObject("format").put("type", "text");
        ObjectNode usage = out.putObject("usage");
        usage.put("input_tokens", u.promptTokens());
        usage.putObject("input_tokens_details").put("cached_tokens", u.cachedTokens());
        usage.put("output_tokens", u.outputTokens());
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", u.promptTokens() + u.outputTokens());
        out.set("metadata", body.has("metadata") ? body.get("metadata") : Json.object());
    }

    private static void embeddings(ObjectNode out, JsonNode body, Usage u, String model) {
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        JsonNode input = body.path("input");
        int dims = body.path("dimensions").asInt(model.contains("large") ? 3072 : 1536);
        int i = 0;
        for (JsonNode in : input.isArray() && !input.isEmpty() && !input.get(0).isNumber() ? input : Json.array().add(input)) {
            ObjectNode e = data.addObject();
            e.put("object", "embedding");
            e.put("index", i++);
            ArrayNode vec = e.putArray("embedding");
            for (double d : TextSynth.vector(in.toString(), dims)) {
                vec.add(d);
            }
        }
        out.put("model", model);
        out.putObject("usage").put("prompt_tokens", u.promptTokens()).put("total_tokens", u.promptTokens());
    }
}
