package dev.offpeak.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.batcher.BatcherMetrics;
import dev.offpeak.ingest.IngestMetrics;
import dev.offpeak.result.metrics.ResultMetrics;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Metric names on both sides: what the services register (their meter-name constants, in Micrometer's
 * Prometheus naming) and what the rules and the dashboard query (names pulled out of PromQL).
 */
final class MetricNames {
    /** Metrics that come from elsewhere than the Offpeak services, each with where from. */
    static final Set<String> EXTERNAL = Set.of(
            "up",                        // Prometheus itself, per scrape target
            "kafka_consumergroup_lag");  // kafka-exporter (docker-compose.yml service kafka-exporter)

    private static final List<String> SUFFIXES = List.of("", "_total", "_count", "_sum", "_max", "_bucket",
            "_seconds", "_seconds_count", "_seconds_sum", "_seconds_max", "_seconds_bucket");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![A-Za-z0-9_:.])[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");

    private MetricNames() {}

    /** The meter-name constants ("offpeak.result.cost.usd") of the three services. */
    static Set<String> meterNames() {
        Set<String> names = new TreeSet<>();
        for (Class<?> type : List.of(IngestMetrics.class, BatcherMetrics.class, ResultMetrics.class)) {
            for (Field f : type.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                    try {
                        String value = (String) f.get(null);
                        if (value.startsWith("offpeak.")) {
                            names.add(value);
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return names;
    }

    /**
     * Every series name the meters can produce: {@code offpeak.result.cost.usd} becomes
     * {@code offpeak_result_cost_usd} plus the suffixes Micrometer adds per meter type (_total for
     * counters, _seconds_count/_sum/_max/_bucket for timers, _count/_sum/_max for summaries). The live
     * test (LiveStackIT) checks the exact names against real scrapes.
     */
    static Set<String> exportable() {
        Set<String> names = new TreeSet<>();
        for (String meter : meterNames()) {
            String base = meter.replace('.', '_');
            SUFFIXES.forEach(s -> names.add(base + s));
        }
        return names;
    }

    /** Metric names (and recording-rule names, with a colon) a PromQL expression reads. */
    static Set<String> referencedBy(String promql) {
        String e = STRING.matcher(promql).replaceAll("\"\"");
        e = MATCHERS.matcher(e).replaceAll(" ");
        e = RANGES.matcher(e).replaceAll(" ");
        e = GROUPING.matcher(e).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            String token = m.group().replaceAll("\\s*\\($", "");
            boolean function = m.group(1) != null;
            if (!function && !KEYWORDS.contains(token.toLowerCase(java.util.Locale.ROOT))) {
                names.add(token);
            }
        }
        return names;
    }

    /** Every PromQL expression of the rules file, with where it is. */
    static List<String[]> ruleExpressions(JsonNode rules) {
        List<String[]> exprs = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("record") ? rule.path("record").asText() : rule.path("alert").asText();
                exprs.add(new String[] {name, rule.path("expr").asText()});
            }
        }
        return exprs;
    }

    /** Every recording rule name. */
    static Set<String> recorded(JsonNode rules) {
        Set<String> names = new TreeSet<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("record")) {
                    names.add(rule.path("record").asText());
                }
            }
        }
        return names;
    }

    /** Every Prometheus expression of the dashboard, with its panel title. */
    static List<String[]> dashboardPromQl(JsonNode dashboard) {
        List<String[]> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("expr")) {
                    exprs.add(new String[] {panel.path("title").asText(), target.path("expr").asText()});
                }
            }
        }
        return exprs;
    }

    /** Every SQL query of the dashboard, with its panel title. */
    static List<String[]> dashboardSql(JsonNode dashboard) {
        List<String[]> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("rawSql")) {
                    queries.add(new String[] {panel.path("title").asText(), target.path("rawSql").asText()});
                }
            }
        }
        return queries;
    }
}
