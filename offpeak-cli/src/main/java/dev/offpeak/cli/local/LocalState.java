package dev.offpeak.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What local mode must remember between starts, kept in {@code state.json} in the data folder: the
 * Kafka cluster id (its logs are bound to it), the bearer token of each local tenant and
 * result-service's admin token. Tokens are random on the first start; the ingest token file gets only
 * the tenants' SHA-256, as in production.
 */
public record LocalState(String clusterId, Map<String, String> tokens, String adminToken) {
    /** The tenant {@code offpeak local} prints a token for; the demo adds its own tenants. */
    public static final String LOCAL_TENANT = "local";
    static final String FILE = "state.json";

    public LocalState {
        tokens = Map.copyOf(tokens);
    }

    /** Reads the state, or creates it with a token for every tenant named (missing ones are added). */
    public static LocalState loadOrCreate(Path dataDir, List<String> tenants) throws IOException {
        Path file = dataDir.resolve(FILE);
        String clusterId;
        Map<String, String> tokens = new LinkedHashMap<>();
        String adminToken = null;
        if (Files.exists(file)) {
            JsonNode root = Json.mapper().readTree(file.toFile());
            clusterId = root.path("kafka_cluster_id").asText();
            root.path("tokens").fields().forEachRemaining(e -> tokens.put(e.getKey(), e.getValue().asText()));
            adminToken = root.path("admin_token").asText(null);
        } else {
            clusterId = kafkaClusterId();
        }
        SecureRandom random = new SecureRandom();
        for (String tenant : tenants) {
            tokens.computeIfAbsent(tenant, t -> "op_" + t + "_" + randomHex(random));
        }
        if (adminToken == null || adminToken.isBlank()) {
            // a data folder from before budgets gets one now
            adminToken = "op_admin_" + randomHex(random);
        }
        LocalState state = new LocalState(clusterId, tokens, adminToken);
        state.write(file);
        return state;
    }

    public String token(String tenant) {
        String token = tokens.get(tenant);
        if (token == null) {
            throw new IllegalArgumentException("no local token for tenant " + tenant);
        }
        return token;
    }

    /** The ingest service's token file: tenant → SHA-256 of its token, never the token. */
    public Path writeIngestTokenFile(Path dataDir) throws IOException {
        ObjectNode root = Json.mapper().createObjectNode();
        var entries = root.putArray("tenants");
        tokens.forEach((tenant, token) -> {
            ObjectNode entry = entries.addObject().put("tenant", tenant);
            entry.putArray("token_sha256").add(sha256Hex(token));
        });
        Path file = dataDir.resolve("ingest-tokens.json");
        Files.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        return file;
    }

    private void write(Path file) throws IOException {
        ObjectNode root = Json.mapper().createObjectNode().put("kafka_cluster_id", clusterId);
        ObjectNode t = root.putObject("tokens");
        tokens.forEach(t::put);
        root.put("admin_token", adminToken);
        writeOwnerOnly(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    /** Writes a file that holds raw tokens: readable by the owner only. */
    static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system; nothing more to do
        }
    }

    /** KRaft wants a base64url UUID as cluster id. */
    private static String kafkaClusterId() {
        UUID uuid = UUID.randomUUID();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    private static String randomHex(SecureRandom random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
