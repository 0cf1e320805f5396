package dev.offpeak.batcher.lines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import java.util.Map;

/**
 * The provider-format line of one request, exactly as it is uploaded (without its newline). The
 * request id is the line's custom id, so results match back without a lookup table.
 * <ul>
 *   <li>OpenAI batch file line: {@code {"custom_id", "method":"POST", "url": endpoint, "body": request + model}}</li>
 *   <li>Anthropic request item: {@code {"custom_id", "params": request + model}}</li>
 *   <li>Gemini file line: {@code {"key", "request": request}} (the model comes from the batch, not the line)</li>
 * </ul>
 */
public final class LineFormat {
    private LineFormat() {}

    public static String line(Provider provider, String endpoint, String model, String requestId, ObjectNode request) {
        ObjectNode line = Json.mapper().createObjectNode();
        switch (provider) {
            case OPENAI -> {
                line.put("custom_id", requestId);
                line.put("method", "POST");
                line.put("url", endpoint);
                line.set("body", withModel(model, request));
            }
            case ANTHROPIC -> {
                line.put("custom_id", requestId);
                line.set("params", withModel(model, request));
            }
            case GEMINI -> {
                line.put("key", requestId);
                line.set("request", request);
            }
        }
        return Json.write(line);
    }

    /** The body with {@code model} first and the request's own fields after it (shared, not copied). */
    private static ObjectNode withModel(String model, ObjectNode request) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("model", model);
        for (Map.Entry<String, JsonNode> field : request.properties()) {
            if (!"model".equals(field.getKey())) {
                body.set(field.getKey(), field.getValue());
            }
        }
        return body;
    }
}
