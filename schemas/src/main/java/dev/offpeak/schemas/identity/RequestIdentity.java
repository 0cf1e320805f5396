package dev.offpeak.schemas.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.DedupScope;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identity of a request: {@code request_id} = lowercase hex SHA-256 of the UTF-8 bytes of the
 * RFC 8785 canonical JSON of {@code {provider, endpoint, model, request (without "model"), scope,
 * task_id (only when dedup is off)}}, where scope is the tenant, or {@code "*"} for global dedup.
 *
 * <p>Two tasks with the same id get the same answer. The id is 64 characters of [0-9a-f], so it is
 * a valid {@code custom_id} for every provider ({@code ^[A-Za-z0-9_-]{1,64}$}) and results match
 * back without a lookup table.
 */
public final class RequestIdentity {
    /** The scope value of tenants that opted into global dedup. */
    public static final String GLOBAL_SCOPE = "*";

    private RequestIdentity() {}

    public static String requestId(TaskSubmitted task) {
        return sha256Hex(canonicalJson(task));
    }

    /** The RFC 8785 canonical form that is hashed; exposed for debugging dedup. */
    public static String canonicalJson(TaskSubmitted task) {
        ObjectNode identity = Json.mapper().createObjectNode();
        identity.put("provider", task.provider().id());
        identity.put("endpoint", task.endpoint());
        identity.put("model", task.model());
        ObjectNode request = Json.mapper().createObjectNode();
        request.setAll(task.request()); // shallow: only the top level loses "model"
        request.remove("model"); // the model is identity already; a copy inside the body must not split it
        identity.set("request", request);
        identity.put("scope", task.effectiveDedupScope() == DedupScope.GLOBAL ? GLOBAL_SCOPE : task.tenant());
        if (!task.dedupEnabled()) {
            identity.put("task_id", task.taskId());
        }
        return CanonicalJson.of(identity);
    }

    static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
