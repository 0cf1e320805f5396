package dev.offpeak.result.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;

/** Parses one line of a provider's result file into a {@link ResultLine} (what the clients stream). */
public final class ResultLines {
    private ResultLines() {}

    /**
     * @param line an OpenAI output/error file line, an Anthropic results line, or a Gemini
     *             responses-file line
     */
    public static ResultLine parse(Provider provider, JsonNode line) {
        return switch (provider) {
            case OPENAI -> OpenAiFormat.line(line);
            case ANTHROPIC -> AnthropicFormat.line(line);
            case GEMINI -> GeminiFormat.fileLine(line);
        };
    }
}
