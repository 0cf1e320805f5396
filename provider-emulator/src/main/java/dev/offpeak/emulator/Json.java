package dev.offpeak.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;

/** The one ObjectMapper (thread-safe once configured) and small tree helpers. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    public static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    /** Parses a request body; a body that is not a JSON object is a 400 in the caller's provider format. */
    public static ObjectNode parseObject(InputStream in) {
        try {
            JsonNode n = MAPPER.readTree(in);
            if (n == null || !n.isObject()) {
                throw new ApiException(400, "The request body must be a JSON object.");
            }
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading the request body", e);
        }
    }

    /** Answers 200 with the value as JSON. */
    public static void send(Context ctx, Object value) {
        try {
            ctx.contentType("application/json").result(MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("emulator bodies always serialize", e);
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serializes", e);
        }
    }
}
