package dev.offpeak.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus: promtool accepts the rules and the config and passes the rules' unit tests, and
 * every metric the rules and the dashboard read is one the services export (or a named external one).
 * The promtool tests are skipped, with that reason, where promtool is not installed (.ci/run installs it).
 */
class PrometheusRulesTest {
    private final JsonNode rules = DeployFiles.yaml("deploy/prometheus/offpeak-rules.yml");
    private final JsonNode dashboard = DeployFiles.json("deploy/grafana/dashboards/offpeak.json");

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        assertThat(promtool("check", "rules", "offpeak-rules.yml")).contains("SUCCESS");
    }

    @Test
    void promtoolAcceptsThePrometheusConfig() throws Exception {
        assertThat(promtool("check", "config", "prometheus.yml")).contains("SUCCESS");
    }

    @Test
    void theRulesPassTheirUnitTests() throws Exception {
        assertThat(promtool("test", "rules", "tests/offpeak-rules.test.yml")).contains("SUCCESS");
    }

    @Test
    void everyMetricTheRulesReadIsExportedByAService() {
        Set<String> exportable = MetricNames.exportable();
        Set<String> recorded = MetricNames.recorded(rules);
        List<String> unknown = new ArrayList<>();
        for (String[] rule : MetricNames.ruleExpressions(rules)) {
            for (String name : MetricNames.referencedBy(rule[1])) {
                if (!known(name, exportable, recorded)) {
                    unknown.add(rule[0] + " reads " + name);
                }
            }
        }
        assertThat(unknown).isEmpty();
        assertThat(MetricNames.ruleExpressions(rules)).hasSizeGreaterThan(20);
    }

    @Test
    void everyMetricTheDashboardReadsIsExportedOrRecorded() {
        Set<String> exportable = MetricNames.exportable();
        Set<String> recorded = MetricNames.recorded(rules);
        List<String> unknown = new ArrayList<>();
        for (String[] panel : MetricNames.dashboardPromQl(dashboard)) {
            for (String name : MetricNames.referencedBy(panel[1])) {
                if (!known(name, exportable, recorded)) {
                    unknown.add("panel '" + panel[0] + "' reads " + name);
                }
            }
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void theNameCheckCatchesAMisspelledMetric() {
        Set<String> names = MetricNames.referencedBy(
                "sum by (provider) (rate(offpeak_result_cost_usd_totl{outcome=~\"a|b\"}[5m])) / on() offpeak:x:y > 0.9"
                        + " unless up offset 15m");
        assertThat(names).containsExactly("offpeak_result_cost_usd_totl", "offpeak:x:y", "up");
        assertThat(MetricNames.exportable()).contains("offpeak_result_cost_usd_total")
                .doesNotContain("offpeak_result_cost_usd_totl");
    }

    @Test
    void alertsCarrySeverityAndText() {
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    assertThat(rule.path("labels").path("severity").asText()).as(rule.path("alert").asText())
                            .isIn("info", "warning", "critical");
                    assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
                    assertThat(rule.path("annotations").path("description").asText()).isNotBlank();
                }
            }
        }
    }

    private static boolean known(String name, Set<String> exportable, Set<String> recorded) {
        return name.contains(":") ? recorded.contains(name)
                : exportable.contains(name) || MetricNames.EXTERNAL.contains(name);
    }

    /** Runs promtool in deploy/prometheus and returns its output; skips the test when promtool is absent. */
    static String promtool(String... args) throws IOException, InterruptedException {
        Path promtool = Promtool.find();
        assumeTrue(promtool != null, "promtool is not installed (apt-get install prometheus; .ci/run does): skipped");
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(DeployFiles.path("deploy/prometheus").toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool " + String.join(" ", args) + ":\n" + out).isZero();
        return out;
    }

    /** Where the Prometheus binaries are, if installed (Debian: /usr/bin). */
    static final class Promtool {
        private Promtool() {}

        static Path find() {
            return onPath("promtool");
        }

        static Path prometheus() {
            return onPath("prometheus");
        }

        private static Path onPath(String name) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
            return null;
        }
    }
}
