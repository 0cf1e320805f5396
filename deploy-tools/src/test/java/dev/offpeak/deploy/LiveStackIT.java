package dev.offpeak.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.cli.demo.DemoWorkload;
import dev.offpeak.cli.http.IngestClient;
import dev.offpeak.cli.local.Endpoints;
import dev.offpeak.cli.local.LocalStack;
import dev.offpeak.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules and the dashboard against live data: the three services (offpeak-cli's local stack: real
 * Kafka, PostgreSQL 17, the emulator, ingest, batcher and result wired as in production, each with its
 * Prometheus registry served over HTTP) take a workload with duplicates, one undecodable record (DLQ)
 * and one rejected request; a real Prometheus scrapes them and evaluates every rule of
 * deploy/prometheus/offpeak-rules.yml; every dashboard query runs, the SQL ones as the analyst login.
 * Skipped, with that reason, where the prometheus binary is not installed (.ci/run installs it).
 */
class LiveStackIT {
    private static final Duration DEADLINE = Duration.ofMinutes(4);

    /** Series the rules read that a healthy run may not produce, and why. */
    private static final Map<String, String> ABSENT_WHEN_HEALTHY = Map.of(
            "offpeak_result_tokens_quota", "registered only for models with a configured quota (none in local mode)",
            "offpeak_result_tokens_reserved", "registered when the 10 s gauge refresh sees a batch submitting or "
                    + "in flight; the emulator may finish a batch between two refreshes",
            "offpeak_budget_limit_usd", "one series per active budget; local mode's demo sets none",
            "offpeak_budget_spent_usd", "one series per active budget; local mode's demo sets none",
            "offpeak_budget_reserved_usd", "one series per active budget; local mode's demo sets none");

    /** Recording rules that are legitimately empty in this run, and why. */
    private static final Map<String, String> EMPTY_HERE = Map.of(
            "offpeak:tokens_quota:saturation", "local mode configures no OFFPEAK_RESULT_QUOTAS");

    @Test
    void everyRuleAndDashboardQueryEvaluatesAgainstARunningStack(@TempDir Path dir) throws Exception {
        Path binary = PrometheusRulesTest.Promtool.prometheus();
        assumeTrue(binary != null, "prometheus is not installed (apt-get install prometheus; .ci/run does): skipped");
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(dir.resolve("stack"), DemoWorkload.TENANTS,
                Duration.ofSeconds(2)), piece -> { })) {
            Endpoints endpoints = stack.endpoints();
            Map<String, URI> targets = new TreeMap<>();
            endpoints.metrics().forEach((service, url) -> targets.put("offpeak-" + service, loopback(URI.create(url))));
            assertThat(targets).containsOnlyKeys("offpeak-ingest", "offpeak-batcher", "offpeak-result");

            try (PrometheusServer prometheus = PrometheusServer.start(binary, dir.resolve("prometheus"), targets)) {
                await().atMost(DEADLINE).untilAsserted(() ->
                        assertThat(prometheus.query("up == 1")).as(prometheus.log()).hasSize(targets.size()));

                int tasks = submitWorkload(stack, endpoints);
                await().atMost(DEADLINE).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                        assertThat(scalar(endpoints, "SELECT count(*) FROM analytics.job_status WHERE state = 'completed'"))
                                .isEqualTo(DemoWorkload.TENANTS.size()));
                assertThat(scalar(endpoints, "SELECT count(*) FROM tasks WHERE status <> 'accepted'")).isEqualTo(tasks);

                // the rules saw the settled money and the dead letter
                await().atMost(DEADLINE).untilAsserted(() -> {
                    assertThat(prometheus.query("offpeak:spend_usd_per_hour:rate1h")).isNotEmpty();
                    assertThat(prometheus.query("ALERTS{alertname=\"OffpeakDeadLetters\", alertstate=\"firing\"}"))
                            .isNotEmpty();
                });
                Map<String, Set<String>> scraped = scrapeNames(targets);
                checkMetricNames(scraped);
                checkRules(prometheus);
                checkAlerts(prometheus);
                checkDashboardPromQl(prometheus);
            }
            checkDashboardSql(endpoints);
        }
    }

    /** Three tenants' jobs with 20% duplicates over HTTP, one undecodable record straight to Kafka, one bad request. */
    private static int submitWorkload(LocalStack stack, Endpoints endpoints) throws Exception {
        int accepted = 0;
        for (DemoWorkload.TenantJob job : new DemoWorkload(90, 0.2, 7L, "live").jobs()) {
            IngestClient ingest = new IngestClient(endpoints.ingestUrl(), stack.token(job.tenant()));
            IngestClient.Upload upload = ingest.bulk(job.lines(), 1);
            assertThat(upload.rejected()).as(upload.rejections().toString()).isZero();
            ingest.seal(job.jobId(), upload.accepted());
            accepted += upload.accepted();
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.TASKS.name(), "not-a-task", "{this is not json")).get();
        }
        HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(endpoints.ingestUrl() + "/v1/tasks"))
                .header("Authorization", "Bearer " + stack.token(DemoWorkload.TENANTS.getFirst()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\": \"t-1\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isBetween(400, 499);
        return accepted;
    }

    /** Names in the live scrapes are the ones the unit tests derive from the meter constants; and the rules' names are there. */
    private static void checkMetricNames(Map<String, Set<String>> scraped) {
        Set<String> live = new TreeSet<>();
        scraped.values().forEach(live::addAll);
        Set<String> offpeak = new TreeSet<>(live.stream().filter(n -> n.startsWith("offpeak_")).toList());
        assertThat(MetricNames.exportable()).as("every live offpeak_ series is derivable from a meter constant")
                .containsAll(offpeak);
        Set<String> read = new TreeSet<>();
        JsonNode rules = DeployFiles.yaml("deploy/prometheus/offpeak-rules.yml");
        MetricNames.ruleExpressions(rules).forEach(r -> read.addAll(MetricNames.referencedBy(r[1])));
        MetricNames.dashboardPromQl(DeployFiles.json("deploy/grafana/dashboards/offpeak.json"))
                .forEach(p -> read.addAll(MetricNames.referencedBy(p[1])));
        read.removeIf(n -> n.contains(":") || MetricNames.EXTERNAL.contains(n));
        Set<String> missing = new TreeSet<>(read);
        missing.removeAll(live);
        assertThat(missing).as("metrics the rules/dashboard read that the running services did not export")
                .isSubsetOf(ABSENT_WHEN_HEALTHY.keySet());
        System.out.println("LiveStackIT: metrics read by rules/dashboard and seen live: " + intersect(read, live));
        System.out.println("LiveStackIT: read but not produced by a healthy run: " + missing);
    }

    /** Every rule evaluated without error; every recording rule has data (except the documented ones). */
    private static void checkRules(PrometheusServer prometheus) {
        await().atMost(DEADLINE).untilAsserted(() -> {
            List<String> notOk = new ArrayList<>();
            for (JsonNode group : prometheus.api("rules").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (!"ok".equals(rule.path("health").asText())) {
                        notOk.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " "
                                + rule.path("lastError").asText());
                    }
                }
            }
            assertThat(notOk).isEmpty();
        });
        // a recording rule over rate() has data once two scrapes after the first observation were evaluated
        Map<String, Integer> recorded = new LinkedHashMap<>();
        await().atMost(DEADLINE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            recorded.clear();
            for (JsonNode group : prometheus.api("rules").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if ("recording".equals(rule.path("type").asText())) {
                        recorded.put(rule.path("name").asText(), prometheus.query(rule.path("name").asText()).size());
                    }
                }
            }
            Set<String> empty = new TreeSet<>();
            recorded.forEach((name, series) -> {
                if (series == 0) {
                    empty.add(name);
                }
            });
            assertThat(empty).as("recording rules without data").isEqualTo(EMPTY_HERE.keySet());
        });
        int rules = 0;
        for (JsonNode group : prometheus.api("rules").path("groups")) {
            rules += group.path("rules").size();
        }
        assertThat(rules).isEqualTo(MetricNames.ruleExpressions(DeployFiles.yaml("deploy/prometheus/offpeak-rules.yml")).size());
        System.out.println("LiveStackIT: " + rules + " rules evaluated with health ok; recording rules with series: "
                + recorded);
    }

    private static void checkAlerts(PrometheusServer prometheus) {
        Map<String, String> states = new TreeMap<>();
        for (JsonNode alert : prometheus.api("alerts").path("alerts")) {
            states.put(alert.path("labels").path("alertname").asText() + alert.path("labels").path("reason").asText(""),
                    alert.path("state").asText());
        }
        assertThat(states).as("the dead letter fired OffpeakDeadLetters, labelled with its reason")
                .containsKey("OffpeakDeadLetters" + firstDlqReason(prometheus));
        assertThat(states.keySet()).noneMatch(a -> a.startsWith("OffpeakSettlementCountMismatch"))
                .noneMatch(a -> a.startsWith("OffpeakTargetDown")).noneMatch(a -> a.startsWith("OffpeakIngestSendFailures"));
        System.out.println("LiveStackIT: alerts active after the run: " + states);
    }

    private static String firstDlqReason(PrometheusServer prometheus) {
        // every reason is registered at start, at 0: the reason of the dead letter is the one above 0
        JsonNode result = prometheus.query("offpeak_batcher_dlq_total > 0");
        assertThat(result).isNotEmpty();
        return result.get(0).path("metric").path("reason").asText();
    }

    private static void checkDashboardPromQl(PrometheusServer prometheus) {
        List<String> empty = new ArrayList<>();
        for (String[] panel : MetricNames.dashboardPromQl(DeployFiles.json("deploy/grafana/dashboards/offpeak.json"))) {
            if (prometheus.query(panel[1]).isEmpty()) {
                empty.add(panel[0] + ": " + panel[1]);
            }
        }
        System.out.println("LiveStackIT: dashboard PromQL queries that ran but returned no series here: " + empty);
        assertThat(empty).allMatch(e -> e.contains("kafka_consumergroup_lag") || e.contains("tokens_quota")
                || e.contains("offpeak_budget_")); // no budget is set in local mode
    }

    /** Every SQL panel runs as the analyst login (created with deploy/postgres/analyst-login.psql). */
    private static void checkDashboardSql(Endpoints endpoints) throws SQLException {
        String password = "live-it-secret";
        String login = DeployFiles.text("deploy/postgres/analyst-login.psql").replace(":'grafana_password'", "'" + password + "'");
        try (Connection owner = DriverManager.getConnection(endpoints.jdbcUrl(), endpoints.jdbcUser(), "");
             Statement s = owner.createStatement()) {
            s.execute(login);
        }
        Instant to = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Instant from = to.minus(8, ChronoUnit.DAYS);
        Map<String, Integer> rows = new LinkedHashMap<>();
        try (Connection analyst = DriverManager.getConnection(endpoints.jdbcUrl(), "grafana_reader", password);
             Statement s = analyst.createStatement()) {
            for (String[] panel : MetricNames.dashboardSql(DeployFiles.json("deploy/grafana/dashboards/offpeak.json"))) {
                // what Grafana sends for $__timeFilter(column) and the dashboard variable
                String sql = panel[1].replaceAll("\\$__timeFilter\\(([^)]*)\\)", "$1 BETWEEN '" + from + "' AND '" + to + "'")
                        .replace("$budget_usd", "100");
                int n = 0;
                try (ResultSet rs = s.executeQuery(sql)) {
                    while (rs.next()) {
                        n++;
                    }
                } catch (SQLException e) {
                    throw new AssertionError("panel '" + panel[0] + "' fails as grafana_reader: " + e.getMessage() + "\n" + sql, e);
                }
                rows.put(panel[0], n);
            }
            try {
                s.executeQuery("SELECT count(*) FROM public.tasks");
                throw new AssertionError("the analyst login must not read base tables");
            } catch (SQLException expected) {
                assertThat(expected.getMessage()).contains("permission denied");
            }
        }
        System.out.println("LiveStackIT: dashboard SQL rows per panel: " + rows);
        assertThat(rows.get("Spend and savings by tenant")).isEqualTo(DemoWorkload.TENANTS.size());
        assertThat(rows.get("Tenant spend today vs budget")).isEqualTo(DemoWorkload.TENANTS.size());
        for (String panel : List.of("Spend and savings per day", "Spend per tenant per day", "Spend and savings by model",
                "Cost per task: P50 / P95 by model", "Cost per job: P50 / P95 by tenant",
                "Dedup and prompt-cache rates per day", "Dedup and cache by model",
                "Batch turnaround per provider (submit to settled)", "Task turnaround per provider (submitted to completed)")) {
            assertThat(rows.get(panel)).as(panel).isPositive();
        }
    }

    private static long scalar(Endpoints endpoints, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(endpoints.jdbcUrl(), endpoints.jdbcUser(), "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, Set<String>> scrapeNames(Map<String, URI> targets) throws Exception {
        Map<String, Set<String>> names = new TreeMap<>();
        HttpClient http = HttpClient.newHttpClient();
        for (Map.Entry<String, URI> target : targets.entrySet()) {
            String body = http.send(HttpRequest.newBuilder(target.getValue()).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Set<String> set = new TreeSet<>();
            body.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .forEach(l -> set.add(l.split("[{ ]", 2)[0]));
            names.put(target.getKey(), set);
        }
        return names;
    }

    private static URI loopback(URI url) {
        String host = url.getHost().equals("0.0.0.0") || url.getHost().equals("localhost") ? "127.0.0.1" : url.getHost();
        return URI.create(url.getScheme() + "://" + host + ":" + url.getPort() + url.getPath());
    }

    private static Set<String> intersect(Set<String> a, Set<String> b) {
        Set<String> both = new TreeSet<>(a);
        both.retainAll(b);
        return both;
    }
}
