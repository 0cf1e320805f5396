package dev.offpeak.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s parses, every file is in the kustomization, and the workloads carry what an operator
 * expects: probes (or a stated reason for none), requests and limits, non-root, provider keys and
 * passwords from Secrets, an HPA for ingest, PodDisruptionBudgets, the topic Job; and every
 * environment key and argument is one the service's code reads.
 */
class KubernetesManifestsTest {
    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "Job");
    private static final Pattern K8S_VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private final List<JsonNode> resources = DeployFiles.kubernetesResources();

    @Test
    void everyManifestIsListedInTheKustomizationAndEveryImageIsPinnedThere() throws IOException {
        Set<String> listed = new TreeSet<>();
        DeployFiles.yaml("deploy/k8s/kustomization.yaml").path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<java.nio.file.Path> files = Files.list(DeployFiles.path("deploy/k8s"))) {
            assertThat(files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml")))
                    .containsExactlyInAnyOrderElementsOf(listed);
        }
        Set<String> pinned = new TreeSet<>();
        DeployFiles.yaml("deploy/k8s/kustomization.yaml").path("images").forEach(i -> pinned.add(i.path("name").asText()));
        for (JsonNode container : containers()) {
            assertThat(pinned).contains(container.path("image").asText());
        }
        assertThat(resources).allSatisfy(r -> {
            assertThat(r.path("apiVersion").asText()).isNotEmpty();
            assertThat(r.path("kind").asText()).isNotEmpty();
            assertThat(r.path("metadata").path("name").asText()).isNotEmpty();
        });
    }

    @Test
    void workloadsHaveLimitsRunAsNonRootAndProbesOrAStatedReasonForNone() {
        Map<String, JsonNode> byName = workloads();
        assertThat(byName).containsKeys("ingest-service", "batcher-service", "result-service", "offpeak-topics");
        byName.forEach((name, workload) -> {
            JsonNode pod = workload.path("spec").path("template").path("spec");
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(name + " non-root").isTrue();
            for (JsonNode c : pod.path("containers")) {
                for (String kind : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        assertThat(c.path("resources").path(kind).path(resource).asText())
                                .as(name + " " + kind + "." + resource).isNotEmpty();
                    }
                }
                if (!workload.path("kind").asText().equals("Job")) {
                    boolean probed = c.has("livenessProbe") && c.has("readinessProbe");
                    String reason = workload.path("metadata").path("annotations").path("offpeak.dev/probes").asText();
                    assertThat(probed || reason.startsWith("none: "))
                            .as(name + " has liveness and readiness probes, or says why not").isTrue();
                }
            }
        });
    }

    /** Where each service declares its HTTP routes, and the key of its HTTP port. */
    private static final Map<String, String[]> HTTP = Map.of(
            "ingest-service", new String[] {"ingest-service/src/main/java/dev/offpeak/ingest/http/Routes.java",
                    "OFFPEAK_INGEST_PORT"},
            "result-service", new String[] {"result-service/src/main/java/dev/offpeak/result/http/ReadApi.java",
                    "OFFPEAK_RESULT_HTTP_PORT"},
            "batcher-service", new String[] {"batcher-service/src/main/java/dev/offpeak/batcher/BatcherHttp.java",
                    "OFFPEAK_BATCHER_HTTP_PORT"});

    @Test
    void probesUseRoutesTheServiceHasOnThePortItListensOn() {
        Map<String, String> config = configMapData();
        for (String service : HTTP.keySet()) {
            JsonNode c = workloads().get(service).path("spec").path("template").path("spec").path("containers").get(0);
            String routes = DeployFiles.text(HTTP.get(service)[0]);
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                String path = c.path(probe).path("httpGet").path("path").asText();
                assertThat(routes).as(service + " " + probe + " path " + path + " is one of its routes")
                        .contains("\"" + path + "\"");
            }
            assertThat(c.path("ports").get(0).path("containerPort").asText()).as(service + " port")
                    .isEqualTo(config.get(HTTP.get(service)[1]));
        }
    }

    private Map<String, String> configMapData() {
        Map<String, String> data = new LinkedHashMap<>();
        ofKind("ConfigMap").forEach(cm -> cm.path("data").properties()
                .forEach(e -> data.put(e.getKey(), e.getValue().asText())));
        return data;
    }

    @Test
    void secretsComeFromSecretRefsNeverFromConfigMaps() {
        for (JsonNode r : resources) {
            if (r.path("kind").asText().equals("ConfigMap")) {
                r.path("data").fieldNames().forEachRemaining(key ->
                        assertThat(key).as("secret-looking key in ConfigMap " + r.path("metadata").path("name"))
                                .doesNotContain("API_KEY").doesNotContain("PASSWORD").doesNotContain("SECRET"));
            }
        }
        List<String> secretEnv = new ArrayList<>();
        for (JsonNode c : containers()) {
            for (JsonNode env : c.path("env")) {
                String name = env.path("name").asText();
                if (name.contains("API_KEY") || name.contains("PASSWORD") || name.endsWith("_TOKEN")) {
                    assertThat(env.has("value")).as(name + " must not be a literal").isFalse();
                    assertThat(env.path("valueFrom").has("secretKeyRef")).as(name + " from a Secret").isTrue();
                    secretEnv.add(name);
                }
            }
        }
        assertThat(secretEnv).contains("OFFPEAK_DB_PASSWORD", "OFFPEAK_OPENAI_API_KEY", "OFFPEAK_ANTHROPIC_API_KEY",
                "OFFPEAK_GEMINI_API_KEY", "OFFPEAK_RESULT_ADMIN_TOKEN");
    }

    @Test
    void ingestScalesOnCpuAndEveryServiceHasADisruptionBudget() {
        JsonNode hpa = only("HorizontalPodAutoscaler");
        assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo("ingest-service");
        assertThat(hpa.path("spec").path("minReplicas").asInt()).isGreaterThanOrEqualTo(2);
        Set<String> covered = new TreeSet<>();
        for (JsonNode pdb : ofKind("PodDisruptionBudget")) {
            Map<String, String> selector = labels(pdb.path("spec").path("selector").path("matchLabels"));
            workloads().forEach((name, w) -> {
                if (labels(w.path("spec").path("template").path("metadata").path("labels")).entrySet()
                        .containsAll(selector.entrySet())) {
                    covered.add(name);
                }
            });
        }
        assertThat(covered).contains("ingest-service", "batcher-service", "result-service");
    }

    @Test
    void everyContainerOnlyCarriesKeysAndArgumentsItsServiceReads() {
        Map<String, Map<String, String>> configMaps = new LinkedHashMap<>();
        for (JsonNode cm : ofKind("ConfigMap")) {
            Map<String, String> data = new LinkedHashMap<>();
            cm.path("data").properties().forEach(e -> data.put(e.getKey(), e.getValue().asText()));
            configMaps.put(cm.path("metadata").path("name").asText(), data);
        }
        Set<String> usedConfigMaps = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        workloads().forEach((name, workload) -> {
            for (JsonNode c : workload.path("spec").path("template").path("spec").path("containers")) {
                Map<String, String> env = new LinkedHashMap<>();
                for (JsonNode from : c.path("envFrom")) {
                    String cm = from.path("configMapRef").path("name").asText();
                    assertThat(configMaps).as(name + " reads ConfigMap " + cm).containsKey(cm);
                    usedConfigMaps.add(cm);
                    env.putAll(configMaps.get(cm));
                }
                for (JsonNode e : c.path("env")) {
                    env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText()
                            : e.path("valueFrom").has("fieldRef") ? "pod-0" : "a-value-from-a-secret");
                }
                List<String> args = new ArrayList<>();
                c.path("args").forEach(a -> args.add(expand(a.asText(), env)));
                String module = c.path("image").asText().replaceFirst("^offpeak/", "");
                problems.addAll(ServiceContracts.check("deploy/k8s " + name, module, env, args));
            }
        });
        assertThat(problems).isEmpty();
        assertThat(usedConfigMaps).as("every ConfigMap is used").containsExactlyInAnyOrderElementsOf(configMaps.keySet());
    }

    @Test
    void theTopicJobRunsTopicSetupAndTheMigrationStepIsDocumented() {
        JsonNode job = workloads().get("offpeak-topics");
        JsonNode container = job.path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(container.path("image").asText()).isEqualTo("offpeak/deploy-tools");
        assertThat(container.path("args").get(0).asText()).isEqualTo("--bootstrap");
        assertThat(DeployFiles.text("deploy/k8s/result.yaml")).contains("migrates the schema with Flyway when it starts");
        assertThat(DeployFiles.text("result-service/src/main/java/dev/offpeak/result/ResultService.java"))
                .as("what result.yaml says about migrations is what the service does").contains("Database.migrate(");
    }

    private static String expand(String arg, Map<String, String> env) {
        Matcher m = K8S_VAR.matcher(arg);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            assertThat(env).as("$(" + m.group(1) + ") is defined").containsKey(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(env.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private Map<String, JsonNode> workloads() {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode r : resources) {
            if (WORKLOADS.contains(r.path("kind").asText())) {
                byName.put(r.path("metadata").path("name").asText(), r);
            }
        }
        return byName;
    }

    private List<JsonNode> containers() {
        List<JsonNode> all = new ArrayList<>();
        workloads().values().forEach(w -> w.path("spec").path("template").path("spec").path("containers").forEach(all::add));
        return all;
    }

    private List<JsonNode> ofKind(String kind) {
        return resources.stream().filter(r -> r.path("kind").asText().equals(kind)).toList();
    }

    private JsonNode only(String kind) {
        List<JsonNode> found = ofKind(kind);
        assertThat(found).hasSize(1);
        return found.getFirst();
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        node.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
