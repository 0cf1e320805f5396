package dev.offpeak.result.caching;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Provider;

/**
 * Writes a recorded cache hint ({@code batch_items.adjustment}, decided by {@link PromptCaching})
 * into a provider line as it is sent. Numbers are read and written exactly (no double rounding), and
 * nothing but the hint changes; a line without a hint is sent byte for byte as stored.
 */
public final class LineAdjustment {
    private static final ObjectMapper EXACT = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private LineAdjustment() {}

    /** {@code line} with {@code adjustment} (JSON text, or null for none) applied. */
    public static String apply(Provider provider, String line, String adjustment) {
        if (adjustment == null) {
            return line;
        }
        try {
            JsonNode hint = EXACT.readTree(adjustment);
            ObjectNode root = (ObjectNode) EXACT.readTree(line);
            switch (provider) {
                case ANTHROPIC -> breakpoint((ObjectNode) root.path("params"), hint);
                case OPENAI -> {
                    if (hint.has("prompt_cache_key")) {
                        ((ObjectNode) root.path("body")).set("prompt_cache_key", hint.get("prompt_cache_key"));
                    }
                }
                case GEMINI -> { }
            }
            return EXACT.writeValueAsString(root);
        } catch (JsonProcessingException | ClassCastException e) {
            // the hint was recorded for this very line; failing here means the stored line is not what it was
            throw new IllegalStateException("cannot apply cache hint " + adjustment + " to a " + provider.id()
                    + " line: " + e.getMessage(), e);
        }
    }

    /** A {@code cache_control} breakpoint at the end of the system prompt, or of the tools when there is none. */
    private static void breakpoint(ObjectNode params, JsonNode hint) {
        JsonNode cacheControl = hint.get("cache_control");
        if (cacheControl == null) {
            return;
        }
        JsonNode system = params.get("system");
        if ("system".equals(hint.path("at").asText()) && system != null) {
            if (system.isTextual()) {
                ArrayNode blocks = params.putArray("system");
                blocks.addObject().put("type", "text").put("text", system.asText()).set("cache_control", cacheControl);
            } else if (system.isArray() && !system.isEmpty()) {
                ((ObjectNode) system.get(system.size() - 1)).set("cache_control", cacheControl);
            }
            return;
        }
        JsonNode tools = params.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ((ObjectNode) tools.get(tools.size() - 1)).set("cache_control", cacheControl);
        }
    }
}
