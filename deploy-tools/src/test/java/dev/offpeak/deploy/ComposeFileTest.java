package dev.offpeak.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.offpeak.ingest.config.IngestConfig;
import dev.offpeak.schemas.tenants.Tenants;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker-compose.yml against the Compose specification and against the services' own code. */
class ComposeFileTest {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");
    private final JsonNode compose = DeployFiles.yaml("docker-compose.yml");

    @Test
    void composeFileIsValidAgainstTheComposeSpecificationSchema() throws IOException {
        assertThat(composeSchemaErrors(compose)).isEmpty();
    }

    @Test
    void theSchemaCheckRejectsAMisspelledKey() throws IOException {
        ObjectNode broken = compose.deepCopy();
        ((ObjectNode) broken.path("services").path("ingest-service")).set("healthchek", broken.objectNode());
        ((ObjectNode) broken.path("services").path("result-service").path("depends_on").path("postgres"))
                .put("condition", "service_happy");
        assertThat(composeSchemaErrors(broken)).anyMatch(e -> e.contains("healthchek"))
                .anyMatch(e -> e.contains("depends_on"));
    }

    @Test
    void everyOffpeakContainerOnlyCarriesKeysAndArgumentsItsServiceReads() {
        List<String> problems = new ArrayList<>();
        Set<String> modules = new TreeSet<>();
        compose.path("services").properties().forEach(e -> {
            String module = e.getValue().path("build").path("args").path("MODULE").asText(null);
            if (module == null) {
                return;
            }
            modules.add(module);
            problems.addAll(ServiceContracts.check("docker-compose.yml service " + e.getKey(), module,
                    environment(e.getValue()), command(e.getValue())));
        });
        assertThat(modules).isEqualTo(ServiceContracts.MODULES);
        assertThat(problems).isEmpty();
    }

    @Test
    void aTypoInAKeyOrAValueIsCaught() {
        Map<String, String> env = new LinkedHashMap<>(environment(compose.path("services").path("result-service")));
        env.put("OFFPEAK_RESULT_TIK", "1s");
        env.put("OFFPEAK_RESULT_POLL_MAX", "soon");
        assertThat(ServiceContracts.check("test", "result-service", env, List.of()))
                .anyMatch(p -> p.contains("does not read OFFPEAK_RESULT_TIK"))
                .anyMatch(p -> p.contains("OFFPEAK_RESULT_POLL_MAX"));
        assertThat(ServiceContracts.check("test", "provider-emulator", Map.of(), List.of("--prot", "8089")))
                .anyMatch(p -> p.contains("--prot"));
    }

    @Test
    void servicesStartInOrderAndTheStackHasHealthChecks() {
        JsonNode services = compose.path("services");
        for (String service : List.of("ingest-service", "batcher-service", "result-service")) {
            assertThat(services.path(service).path("depends_on").path("topic-init").path("condition").asText())
                    .as(service + " starts after the topics exist").isEqualTo("service_completed_successfully");
            assertThat(services.path(service).path("depends_on").path("kafka").path("condition").asText())
                    .isEqualTo("service_healthy");
        }
        assertThat(services.path("result-service").path("depends_on").path("postgres").path("condition").asText())
                .isEqualTo("service_healthy");
        assertThat(services.path("topic-init").path("depends_on").path("kafka").path("condition").asText())
                .isEqualTo("service_healthy");
        for (String service : List.of("kafka", "postgres", "provider-emulator", "ingest-service", "batcher-service",
                "result-service", "prometheus", "grafana")) {
            assertThat(services.path(service).path("healthcheck").path("test").isMissingNode())
                    .as(service + " has a health check").isFalse();
        }
        services.properties().forEach(e -> e.getValue().path("depends_on").properties().forEach(d ->
                assertThat(services.has(d.getKey())).as(e.getKey() + " depends on " + d.getKey()).isTrue()));
        assertThat(services.path("kafka").path("image").asText()).isEqualTo("apache/kafka:4.3.1");
        assertThat(services.path("postgres").path("image").asText()).isEqualTo("postgres:17");
        assertThat(services.path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText())
                .isEqualTo("broker,controller");
    }

    @Test
    void healthChecksAskRoutesTheServiceHasOnThePortItListensOn() {
        Map<String, String[]> http = Map.of(
                "ingest-service", new String[] {"ingest-service/src/main/java/dev/offpeak/ingest/http/Routes.java",
                        "OFFPEAK_INGEST_PORT"},
                "result-service", new String[] {"result-service/src/main/java/dev/offpeak/result/http/ReadApi.java",
                        "OFFPEAK_RESULT_HTTP_PORT"},
                "batcher-service", new String[] {"batcher-service/src/main/java/dev/offpeak/batcher/BatcherHttp.java",
                        "OFFPEAK_BATCHER_HTTP_PORT"},
                "provider-emulator", new String[] {"provider-emulator/src/main/java/dev/offpeak/emulator/AdminRoutes.java",
                        null});
        http.forEach((service, where) -> {
            JsonNode test = compose.path("services").path(service).path("healthcheck").path("test");
            assertThat(test.get(1).asText()).isEqualTo("http-check");
            String port = test.get(2).asText();
            String path = test.get(3).asText();
            String routes = DeployFiles.text(where[0]);
            assertThat(routes.contains("\"" + path + "\"") || routes.contains("\"" + path.replace("/_emulator", "") + "\""))
                    .as(service + " answers " + path).isTrue();
            if (where[1] != null) {
                assertThat(environment(compose.path("services").path(service)).get(where[1])).isEqualTo(port);
            }
        });
    }

    @Test
    void mountedFilesExistAndTheDemoTokenFileLoads() {
        compose.path("services").properties().forEach(e -> {
            for (JsonNode volume : e.getValue().path("volumes")) {
                String source = interpolate(volume.asText()).split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(DeployFiles.path(source.substring(2))).as(e.getKey() + " mounts " + source).exists();
                }
            }
        });
        Tenants tenants = Tenants.load(DeployFiles.path("deploy/compose/tokens.json"), IngestConfig.TOKEN_FILE);
        assertThat(tenants.forToken("demo-token")).isPresent();
        assertThat(DeployFiles.path("deploy/postgres/10-analyst-login.sh")).isExecutable();
    }

    @Test
    void everyVariableTheComposeFileReadsIsDocumentedInTheEnvExample() {
        Set<String> used = new TreeSet<>();
        Matcher m = VARIABLE.matcher(DeployFiles.text("docker-compose.yml"));
        while (m.find()) {
            used.add(m.group(1));
        }
        String example = DeployFiles.text("deploy/compose/env.example");
        assertThat(used).allSatisfy(v -> assertThat(example).as("env.example documents " + v).contains(v + "="));
    }

    @Test
    void imagesAreSmallNonRootAndSizedByTheContainerLimit() throws Exception {
        String dockerfile = DeployFiles.text("deploy/docker/service.Dockerfile");
        assertThat(dockerfile).contains("FROM eclipse-temurin:21-jre").contains("-XX:MaxRAMPercentage=")
                .contains("USER 10001:10001").contains("AS build");
        for (String env : ServiceContracts.IMAGE_ENV) {
            assertThat(dockerfile).as("the image reads " + env).contains("$" + env);
        }
        // every image's MAIN_CLASS is a class with a main method in the module it is built from
        for (JsonNode service : compose.path("services")) {
            JsonNode args = service.path("build").path("args");
            if (args.has("MAIN_CLASS")) {
                Class<?> main = Class.forName(args.path("MAIN_CLASS").asText());
                assertThat(main.getMethod("main", String[].class)).isNotNull();
                assertThat(dockerfile).contains(args.path("MODULE").asText() + " ").contains(main.getName());
            }
        }
        assertThat(DeployFiles.path(".dockerignore")).exists();
        assertThat(Files.isExecutable(DeployFiles.path("deploy/docker/http-check.sh"))).isTrue();
    }

    @Test
    void theHealthCheckScriptPassesOn2xxAndFailsOtherwise() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health/ready", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/health/down", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            assertThat(httpCheck(port, "/health/ready")).isZero();
            assertThat(httpCheck(port, "/health/down")).isNotZero();
            server.stop(0);
            assertThat(httpCheck(port, "/health/ready")).as("nothing listening").isNotZero();
        } finally {
            server.stop(0);
        }
    }

    private static int httpCheck(int port, String path) throws Exception {
        Process p = new ProcessBuilder("bash", DeployFiles.path("deploy/docker/http-check.sh").toString(),
                String.valueOf(port), path).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode environment = service.path("environment");
        if (environment.isArray()) {
            for (JsonNode entry : environment) {
                String[] kv = entry.asText().split("=", 2);
                env.put(kv[0], kv.length == 2 ? interpolate(kv[1]) : "");
            }
        } else {
            environment.properties().forEach(e -> env.put(e.getKey(), interpolate(e.getValue().asText())));
        }
        return env;
    }

    private static List<String> command(JsonNode service) {
        List<String> args = new ArrayList<>();
        service.path("command").forEach(a -> args.add(interpolate(a.asText())));
        return args;
    }

    /** Compose interpolation without an .env: the default after ":-", or a placeholder. */
    static String interpolate(String value) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) != null ? m.group(2) : "set-in-env"));
        }
        m.appendTail(out);
        return out.toString().replace("$$", "$");
    }

    private static void stripIdKeywords(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.path("id").isTextual()) {
                object.remove("id");
            }
            object.forEach(ComposeFileTest::stripIdKeywords);
        } else if (node.isArray()) {
            node.forEach(ComposeFileTest::stripIdKeywords);
        }
    }

    private static List<String> composeSchemaErrors(JsonNode document) throws IOException {
        try (InputStream in = ComposeFileTest.class.getResourceAsStream("/compose-spec/compose-spec.json")) {
            JsonNode schemaDocument = DeployFiles.JSON.readTree(in);
            // The vendored schema (2021) still names its subschemas with draft-04 "id" keywords, which the
            // 2019-09 dialect rejects; they are labels, never constraints, so they are dropped here.
            stripIdKeywords(schemaDocument);
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2019_09);
            Schema schema = registry.getSchema(schemaDocument);
            return schema.validate(document).stream().map(Error::toString).toList();
        }
    }
}
