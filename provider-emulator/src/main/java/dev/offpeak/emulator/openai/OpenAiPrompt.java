package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.api.Encoding;

import dev.offpeak.emulator.TokenCounter;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompt side of an OpenAI request: the strings the tokenizer sees (each value counted on its
 * own, as OpenAI's cookbook counts chat messages), plus the fixed per-message
 * overhead of the chat format (3 tokens per message, 1 per name, 3 to prime the reply, as in
 * OpenAI's cookbook), plus 85 tokens per image part (the low-detail figure).
 */
public record OpenAiPrompt(List<String> pieces, int overheadTokens) {

    /** Prompt tokens as the usage reports them. */
    public int count(TokenCounter tokens, Encoding encoding) {
        int n = overheadTokens;
        for (String piece : pieces) {
            n += tokens.count(encoding, piece);
        }
        return n;
    }

    /** The prompt's token ids in order, for prefix caching. */
    public int[] encode(TokenCounter tokens, Encoding encoding) {
        List<int[]> parts = new ArrayList<>(pieces.size());
        int total = 0;
        for (String piece : pieces) {
            int[] ids = tokens.encode(encoding, piece);
            parts.add(ids);
            total += ids.length;
        }
        int[] all = new int[total];
        int at = 0;
        for (int[] ids : parts) {
            System.arraycopy(ids, 0, all, at, ids.length);
            at += ids.length;
        }
        return all;
    }


    public static OpenAiPrompt of(String endpoint, JsonNode body) {
        Pieces sb = new Pieces();
        int overhead = 0;
        switch (endpoint) {
            case "/v1/chat/completions" -> {
                if (body.has("tools")) {
                    sb.append(body.get("tools").toString());
                }
                for (JsonNode m : body.path("messages")) {
                    overhead += 3;
                    sb.append(m.path("role").asText());
                    overhead += appendContent(sb, m.path("content"));
                    if (m.has("name")) {
                        overhead += 1;
                        sb.append(m.get("name").asText());
                    }
                }
                overhead += 3;
            }
            case "/v1/responses" -> {
                if (body.hasNonNull("instructions")) {
                    sb.append(body.get("instructions").asText());
                }
                JsonNode input = body.path("input");
                if (input.isTextual()) {
                    sb.append(input.asText());
                } else {
                    for (JsonNode item : input) {
                        overhead += 3;
                        sb.append(item.path("role").asText());
                        overhead += appendContent(sb, item.path("content"));
                    }
                }
            }
            case "/v1/embeddings", "/v1/moderations" -> appendStrings(sb, body.path("input"));
            case "/v1/completions" -> appendStrings(sb, body.path("prompt"));
            default -> sb.append(body.path("prompt").asText(""));
        }
        return new OpenAiPrompt(sb.list, overhead);
    }

    private static int appendContent(Pieces sb, JsonNode content) {
        if (content.isTextual()) {
            sb.append(content.asText());
            return 0;
        }
        int images = 0;
        for (JsonNode part : content) {
            if (part.has("text")) {
                sb.append(part.get("text").asText());
            } else if (part.path("type").asText().contains("image")) {
                images++;
            }
        }
        return images * 85;
    }

    private static void appendStrings(Pieces sb, JsonNode input) {
        if (input.isArray()) {
            for (JsonNode s : input) {
                sb.append(s.isTextual() ? s.asText() : s.toString());
            }
        } else {
            sb.append(input.asText(""));
        }
    }

    /** Collects the strings of a prompt, skipping empty ones. */
    private static final class Pieces {
        private final List<String> list = new ArrayList<>();

        Pieces append(String s) {
            if (!s.isEmpty()) {
                list.add(s);
            }
            return this;
        }
    }
}
