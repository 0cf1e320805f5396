package dev.offpeak.schemas.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bearer-token file shared by every service that authenticates producers (ingest, the read
 * API): SHA-256 hashes of tokens mapped to tenant policies. Only hashes are stored, so the file
 * (and any log of it) never reveals a usable token. Loading reports every problem at once, each
 * naming the entry.
 *
 * <pre>{"tenants": [{"tenant": "acme", "token_sha256": ["9f86d0..."],
 *                 "providers": ["openai"], "models": ["gpt-4o-mini"], "global_dedup": false}]}</pre>
 */
public final class Tenants {
    private static final Pattern TENANT = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
    private static final Pattern SHA256_HEX = Pattern.compile("^[0-9a-f]{64}$");

    private static final TenantPolicy INVALID = new TenantPolicy("-", Set.of(), Set.of(), false);

    private final Map<String, TenantPolicy> byTokenHash;

    private Tenants(Map<String, TenantPolicy> byTokenHash) {
        this.byTokenHash = Map.copyOf(byTokenHash);
    }

    /** The policy of the tenant owning {@code token}, if any. */
    public Optional<TenantPolicy> forToken(String token) {
        return Optional.ofNullable(byTokenHash.get(sha256Hex(token)));
    }

    public int tokenCount() {
        return byTokenHash.size();
    }

    /** Lower-case hex SHA-256 of a token's UTF-8 bytes: what the token file stores. */
    public static String sha256Hex(String token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * @param file      the token file
     * @param configKey the setting that named it, for messages (e.g. OFFPEAK_INGEST_TOKEN_FILE)
     */
    public static Tenants load(Path file, String configKey) {
        String source = configKey + " (" + file + ")";
        JsonNode root;
        try {
            root = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new TokenFileException(List.of(source + ": cannot read: " + e.getMessage()));
        }
        JsonNode entries = root == null ? null : root.get("tenants");
        if (entries == null || !entries.isArray()) {
            throw new TokenFileException(List.of(source + ": must be a JSON object with a \"tenants\" array"));
        }
        List<String> problems = new ArrayList<>();
        Map<String, TenantPolicy> byHash = new HashMap<>();
        Set<String> tenantNames = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String where = source + ": tenants[" + i + "]";
            JsonNode entry = entries.get(i);
            TenantPolicy policy = policy(entry, where, problems);
            if (policy != null && !tenantNames.add(policy.tenant())) {
                problems.add(where + ".tenant: duplicate tenant " + policy.tenant());
            }
            if (entry != null && entry.isObject()) {
                // checked even when the entry is otherwise bad, so every problem shows at once
                hashes(entry.path("token_sha256"), where, policy == null ? INVALID : policy, byHash, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new TokenFileException(problems);
        }
        return new Tenants(byHash);
    }

    private static void hashes(JsonNode hashes, String where, TenantPolicy policy, Map<String, TenantPolicy> byHash,
            List<String> problems) {
        if (!hashes.isArray() || hashes.isEmpty()) {
            problems.add(where + ".token_sha256: must be a non-empty array of SHA-256 hex strings");
            return;
        }
        for (int j = 0; j < hashes.size(); j++) {
            JsonNode hash = hashes.get(j);
            String hex = hash.asText("").toLowerCase(Locale.ROOT);
            if (!hash.isTextual() || !SHA256_HEX.matcher(hex).matches()) {
                // never echo the value: it may be a raw token pasted by mistake
                problems.add(where + ".token_sha256[" + j + "]: is not 64 hex characters"
                        + " (store sha256(token), never the token)");
            } else if (byHash.putIfAbsent(hex, policy) != null) {
                problems.add(where + ".token_sha256[" + j + "]: the same hash is listed twice");
            }
        }
    }

    private static TenantPolicy policy(JsonNode entry, String where, List<String> problems) {
        if (entry == null || !entry.isObject()) {
            problems.add(where + ": must be an object");
            return null;
        }
        String tenant = entry.path("tenant").asText("");
        int before = problems.size();
        if (!TENANT.matcher(tenant).matches()) {
            problems.add(where + ".tenant: '" + tenant + "' must match " + TENANT.pattern());
        }
        Set<Provider> providers = new HashSet<>();
        for (JsonNode p : entry.path("providers")) {
            Provider.find(p.asText()).ifPresentOrElse(providers::add,
                    () -> problems.add(where + ".providers: unknown provider " + p + " (openai, anthropic, gemini)"));
        }
        Set<String> models = new HashSet<>();
        entry.path("models").forEach(m -> models.add(m.asText()));
        JsonNode global = entry.path("global_dedup");
        if (!global.isMissingNode() && !global.isBoolean()) {
            problems.add(where + ".global_dedup: must be true or false, was " + global);
        }
        return problems.size() > before ? null : new TenantPolicy(tenant, providers, models, global.asBoolean(false));
    }
}
