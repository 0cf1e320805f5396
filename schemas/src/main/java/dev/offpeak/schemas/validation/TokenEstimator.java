package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.offpeak.schemas.events.Provider;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Estimates the input tokens of a request, for token limits and the estimated cost.
 *
 * <p>What is counted: every string value of the request body (message contents, system prompt,
 * tool descriptions, ...; not the JSON keys or punctuation), plus {@value #PER_VALUE_OVERHEAD}
 * tokens per string value for the framing the provider adds around each message. For OpenAI models
 * the text is encoded with the model's tokenizer (o200k_base for the gpt-4o, gpt-4.1, gpt-5 and o
 * families, cl100k_base for older and embedding models). Anthropic and Gemini tokenizers are not
 * public, so for them the estimate is UTF-8 bytes / 4, rounded up: slightly high for English,
 * which is the safe side for a limit.
 */
public final class TokenEstimator {
    static final int PER_VALUE_OVERHEAD = 3;

    private final Encoding o200k;
    private final Encoding cl100k;

    public TokenEstimator() {
        EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
        this.o200k = registry.getEncoding(EncodingType.O200K_BASE);
        this.cl100k = registry.getEncoding(EncodingType.CL100K_BASE);
    }

    public long estimate(Provider provider, String model, JsonNode request) {
        StringBuilder text = new StringBuilder();
        int values = collectText(request, text);
        return count(provider, model, text.toString(), values);
    }

    /**
     * The estimate, if it exceeds {@code limit}; empty otherwise. Cheap for the usual small prompt:
     * no estimate exceeds the text's UTF-8 length plus the framing (a token covers at least one byte),
     * so the text is only tokenized when that bound passes the limit.
     */
    public OptionalLong exceeding(Provider provider, String model, JsonNode request, long limit) {
        long[] charsAndValues = new long[2];
        measure(request, charsAndValues);
        // a char is at most 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 chars); +1 per value for the separator
        if ((charsAndValues[0] + charsAndValues[1]) * 3L + PER_VALUE_OVERHEAD * charsAndValues[1] <= limit) {
            return OptionalLong.empty();
        }
        long tokens = estimate(provider, model, request);
        return tokens > limit ? OptionalLong.of(tokens) : OptionalLong.empty();
    }

    /** Adds the length of every string value {@link #collectText} would collect, and their count; copies nothing. */
    private static void measure(JsonNode node, long[] charsAndValues) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            charsAndValues[0] += node.textValue().length();
            charsAndValues[1]++;
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!"model".equals(field.getKey())) {
                    measure(field.getValue(), charsAndValues);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                measure(item, charsAndValues);
            }
        }
    }

    private long count(Provider provider, String model, String text, int values) {
        long tokens = switch (provider) {
            case OPENAI -> encodingFor(model).countTokensOrdinary(text);
            case ANTHROPIC, GEMINI -> (text.getBytes(StandardCharsets.UTF_8).length + 3L) / 4;
        };
        return tokens + (long) PER_VALUE_OVERHEAD * values;
    }

    private Encoding encodingFor(String model) {
        boolean modern = model.startsWith("gpt-4o") || model.startsWith("gpt-4.1") || model.startsWith("gpt-5")
                || model.startsWith("o1") || model.startsWith("o3") || model.startsWith("o4") || model.startsWith("chatgpt-4o");
        return modern ? o200k : cl100k;
    }

    /** Appends every string value under {@code node}, newline-separated; returns how many there were. */
    private static int collectText(JsonNode node, StringBuilder out) {
        if (node == null) {
            return 0;
        }
        if (node.isTextual()) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(node.textValue());
            return 1;
        }
        int count = 0;
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!"model".equals(field.getKey())) {
                    count += collectText(field.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                count += collectText(item, out);
            }
        }
        return count;
    }
}
