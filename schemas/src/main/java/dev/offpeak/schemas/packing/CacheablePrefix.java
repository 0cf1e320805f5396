package dev.offpeak.schemas.packing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.identity.CanonicalJson;
import dev.offpeak.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The part of a request a provider's prompt cache can reuse across requests: the leading, fixed
 * part of the prompt, in the order the provider reads it. Requests with the same fingerprint share
 * that prefix exactly, so packing them into one batch (adjacent lines) lets the provider serve it
 * from cache.
 *
 * <p>The rule per endpoint, from each provider's caching documentation (see docs/caching.md):
 * <ul>
 *   <li>Anthropic {@code /v1/messages}: {@code tools}, then {@code system}. The cache prefix is
 *       tools → system → messages; the conversation is not part of the shared prefix.</li>
 *   <li>OpenAI {@code /v1/chat/completions}: {@code tools}, {@code response_format}, then the leading
 *       {@code system} / {@code developer} messages (tools and the structured-output schema are part
 *       of the cached prefix).</li>
 *   <li>OpenAI {@code /v1/responses}: {@code tools}, {@code text}, {@code instructions}, then the
 *       leading {@code system} / {@code developer} items of an {@code input} array.</li>
 *   <li>Gemini {@code generateContent}: {@code cachedContent}, {@code tools}, {@code toolConfig},
 *       {@code systemInstruction}.</li>
 *   <li>Everything else (embeddings, legacy completions, Gemini embeddings): no shared prefix.</li>
 * </ul>
 *
 * @param fingerprint 16 lowercase hex characters (the first 64 bits of the SHA-256 of the prefix's
 *     RFC 8785 canonical JSON), or {@link #NONE} when the request has no cacheable prefix
 * @param parts the prefix as an object of the fields above (empty when {@link #NONE}); a token
 *     estimate of it is the estimate of the prefix
 */
public record CacheablePrefix(String fingerprint, ObjectNode parts) {
    /** The fingerprint of a request without a cacheable prefix. */
    public static final String NONE = "-";

    public boolean isNone() {
        return NONE.equals(fingerprint);
    }

    /** The cacheable prefix of {@code request} sent to {@code endpoint} of {@code provider}. */
    public static CacheablePrefix of(Provider provider, String endpoint, JsonNode request) {
        ObjectNode parts = Json.mapper().createObjectNode();
        if (request != null && request.isObject()) {
            switch (provider) {
                case ANTHROPIC -> {
                    if ("/v1/messages".equals(endpoint)) {
                        copy(request, parts, "tools", "system");
                    }
                }
                case OPENAI -> {
                    if ("/v1/chat/completions".equals(endpoint)) {
                        copy(request, parts, "tools", "response_format");
                        leadingInstructions(request.get("messages"), parts, "messages");
                    } else if ("/v1/responses".equals(endpoint)) {
                        copy(request, parts, "tools", "text", "instructions");
                        leadingInstructions(request.get("input"), parts, "input");
                    }
                }
                case GEMINI -> {
                    if ("generateContent".equals(endpoint)) {
                        copy(request, parts, "cachedContent", "tools", "toolConfig", "systemInstruction");
                    }
                }
            }
        }
        return parts.isEmpty() ? new CacheablePrefix(NONE, parts) : new CacheablePrefix(fingerprint(parts), parts);
    }

    private static void copy(JsonNode request, ObjectNode parts, String... fields) {
        for (String field : fields) {
            JsonNode value = request.get(field);
            if (value != null && !value.isNull() && !(value.isContainerNode() && value.isEmpty())) {
                parts.set(field, value);
            }
        }
    }

    /** The leading system / developer entries of a message list, under {@code name}. */
    private static void leadingInstructions(JsonNode list, ObjectNode parts, String name) {
        if (list == null || !list.isArray()) {
            return;
        }
        ArrayNode leading = Json.mapper().createArrayNode();
        for (JsonNode message : list) {
            String role = message.path("role").asText("");
            if (!role.equals("system") && !role.equals("developer")) {
                break;
            }
            leading.add(message);
        }
        if (!leading.isEmpty()) {
            parts.set(name, leading);
        }
    }

    private static String fingerprint(ObjectNode parts) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(CanonicalJson.of(parts).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
