package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The prompt side of an OpenAI request: the text the tokenizer sees, plus the fixed per-message
 * overhead of the chat format (3 tokens per message, 1 per name, 3 to prime the reply, as in
 * OpenAI's cookbook), plus 85 tokens per image part (the low-detail figure).
 */
public record OpenAiPrompt(String text, int overheadTokens) {

    public static OpenAiPrompt of(String endpoint, JsonNode body) {
        StringBuilder sb = new StringBuilder();
        int overhead = 0;
        switch (endpoint) {
            case "/v1/chat/completions" -> {
                if (body.has("tools")) {
                    sb.append(body.get("tools").toString()).append('\n');
                }
                for (JsonNode m : body.path("messages")) {
                    overhead += 3;
                    sb.append(m.path("role").asText()).append('\n');
                    overhead += appendContent(sb, m.path("content"));
                    if (m.has("name")) {
                        overhead += 1;
                        sb.append(m.get("name").asText());
                    }
                    sb.append('\n');
                }
                overhead += 3;
            }
            case "/v1/responses" -> {
                if (body.hasNonNull("instructions")) {
                    sb.append(body.get("instructions").asText()).append('\n');
                }
                JsonNode input = body.path("input");
                if (input.isTextual()) {
                    sb.append(input.asText());
                } else {
                    for (JsonNode item : input) {
                        overhead += 3;
                        sb.append(item.path("role").asText()).append('\n');
                        overhead += appendContent(sb, item.path("content"));
                        sb.append('\n');
                    }
                }
            }
            case "/v1/embeddings", "/v1/moderations" -> appendStrings(sb, body.path("input"));
            case "/v1/completions" -> appendStrings(sb, body.path("prompt"));
            default -> sb.append(body.path("prompt").asText(""));
        }
        return new OpenAiPrompt(sb.toString(), overhead);
    }

    private static int appendContent(StringBuilder sb, JsonNode content) {
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

    private static void appendStrings(StringBuilder sb, JsonNode input) {
        if (input.isArray()) {
            for (JsonNode s : input) {
                sb.append(s.isTextual() ? s.asText() : s.toString()).append('\n');
            }
        } else {
            sb.append(input.asText(""));
        }
    }
}
