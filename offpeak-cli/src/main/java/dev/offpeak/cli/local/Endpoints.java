package dev.offpeak.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.cli.CliException;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a running local stack can be reached; printed at start and written to
 * {@code endpoints.json} in the data folder so scripts (and {@code offpeak submit}, {@code offpeak budgets})
 * find it. It holds the local tenant's token and result-service's admin token, so it is readable by its
 * owner only; the admin token is never printed.
 */
public record Endpoints(String ingestUrl, String resultUrl, String kafkaBootstrap, String jdbcUrl, String jdbcUser,
                        String emulatorUrl, Map<String, String> metrics, String tenant, String token,
                        String adminToken) {
    public static final String FILE = "endpoints.json";

    public Endpoints {
        metrics = Map.copyOf(new LinkedHashMap<>(metrics));
    }

    public void write(Path dataDir) throws IOException {
        ObjectNode root = Json.mapper().createObjectNode()
                .put("ingest_url", ingestUrl).put("result_url", resultUrl).put("kafka_bootstrap", kafkaBootstrap)
                .put("jdbc_url", jdbcUrl).put("jdbc_user", jdbcUser).put("emulator_url", emulatorUrl);
        ObjectNode m = root.putObject("metrics");
        metrics.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> m.put(e.getKey(), e.getValue()));
        root.put("tenant", tenant).put("token", token).put("admin_token", adminToken)
                .put("pid", ProcessHandle.current().pid());
        LocalState.writeOwnerOnly(dataDir.resolve(FILE), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    /** Reads the endpoints a running {@code offpeak local} (or demo) wrote. */
    public static Endpoints read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        JsonNode root;
        try {
            root = Json.mapper().readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new CliException("no " + FILE + " in " + dataDir.toAbsolutePath()
                    + ": start `offpeak local` first, or name a deployment (--url, --read-url, --token; see --help)");
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> metrics = new LinkedHashMap<>();
        root.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asText()));
        return new Endpoints(root.path("ingest_url").asText(null), root.path("result_url").asText(null),
                root.path("kafka_bootstrap").asText(null),
                root.path("jdbc_url").asText(null), root.path("jdbc_user").asText("postgres"),
                root.path("emulator_url").asText(null), metrics, root.path("tenant").asText(null),
                root.path("token").asText(null), root.path("admin_token").asText(null));
    }

    public void print(PrintWriter out) {
        out.println("  ingest      " + ingestUrl + "   (POST /v1/tasks, /v1/tasks:bulk, /v1/jobs/{id}/openai-batch)");
        out.println("  results     " + resultUrl + "   (read API: GET /v1/jobs/{id}[/report|/progress], /v1/tasks/{id}[/response], /v1/status, /v1/jobs, /v1/costs)");
        out.println("  token       " + token + "   (tenant " + tenant + "; Authorization: Bearer <token>)");
        out.println("  admin       " + resultUrl + "/v1/admin/budgets   (admin token in " + FILE + "; `offpeak budgets` uses it)");
        out.println("  kafka       " + kafkaBootstrap);
        out.println("  postgres    " + jdbcUrl + "   (user " + jdbcUser + ", no password)");
        out.println("  emulator    " + emulatorUrl);
        metrics.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.println("  metrics     " + e.getValue() + "   (" + e.getKey() + ")"));
        out.flush();
    }
}
