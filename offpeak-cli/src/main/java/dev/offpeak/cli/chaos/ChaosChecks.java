package dev.offpeak.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.topics.Topic;
import dev.offpeak.schemas.topics.Topics;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the system test checks once the work is done, each a count that must be zero: tasks lost,
 * tasks not ended, provider batches created twice (the emulator's batches against the database's),
 * lines billed twice (and the money on tasks against the money on results), tasks without a
 * {@code task.completed} event and jobs without {@code job.completed} (read_committed), services that
 * exited by themselves, and secrets found in a log, a topic or a table.
 */
public final class ChaosChecks {
    /** One line of the report: a name, the count that must be 0, and what it was measured against. */
    public record Check(String name, long failures, String detail) {}

    private final ChaosCluster cluster;

    ChaosChecks(ChaosCluster cluster) {
        this.cluster = cluster;
    }

    /** Waits until every sent task has ended and every job completed, or the timeout passes. */
    boolean awaitDone(ChaosWorkload.Sent sent, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = cluster.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("""
                         SELECT (SELECT count(*) FROM tasks WHERE status <> 'accepted'),
                                (SELECT count(*) FROM jobs WHERE completed_at IS NOT NULL)""")) {
                rs.next();
                if (rs.getLong(1) >= sent.taskCount() && rs.getLong(2) >= sent.jobs().size()) {
                    return true;
                }
            } catch (SQLException e) {
                // the database is coming back
            }
            Thread.sleep(1000);
        }
        return false;
    }

    List<Check> run(ChaosWorkload.Sent sent, FaultInjector faults) throws Exception {
        List<Check> checks = new ArrayList<>();
        try (Connection c = cluster.connect()) {
            Set<String> stored = strings(c, "SELECT tenant || '/' || task_id FROM tasks");
            long lost = sent.tasksByTenant().entrySet().stream()
                    .flatMap(e -> e.getValue().stream().map(t -> e.getKey() + "/" + t))
                    .filter(t -> !stored.contains(t)).count();
            checks.add(new Check("lost tasks", lost, sent.taskCount() + " acknowledged by ingest, " + stored.size()
                    + " in the database"));
            long open = number(c, "SELECT count(*) FROM tasks WHERE status = 'accepted'");
            checks.add(new Check("tasks without a terminal status", open,
                    number(c, "SELECT count(*) FROM tasks WHERE status = 'succeeded'") + " succeeded"));
            checks.add(providerBatches(c));
            checks.add(doubleBilling(c));
            checks.add(budgetLedger(c));
            Map<String, Set<String>> eventIds = new HashMap<>();
            List<ConsumerRecord<byte[], byte[]>> completed = readAll(Topics.TASK_COMPLETED);
            for (ConsumerRecord<byte[], byte[]> r : completed) {
                JsonNode event = parse(r.value());
                eventIds.computeIfAbsent(event.path("tenant").asText() + "/" + event.path("task_id").asText(),
                        t -> new HashSet<>()).add(event.path("event_id").asText());
            }
            checks.add(taskEvents(c, eventIds, completed.size()));
            checks.add(oneEnding(eventIds));
            checks.add(jobEvents(sent));
            checks.add(new Check("lines refused for their content", sent.contentRejects(), "the workload is valid"));
            int exits = faults.selfExits().values().stream().mapToInt(Integer::intValue).sum();
            checks.add(new Check("services that exited by themselves", exits,
                    exits == 0 ? "every service rode every fault out" : faults.selfExits().toString()));
            checks.add(hangingTransactions());
            checks.add(secrets(c));
            long unexpected = faults.readiness().stream().filter(p -> !p.asExpected()).count();
            checks.add(new Check("services not reporting not-ready in an outage", unexpected,
                    faults.readiness().isEmpty() ? "no outage probed" : faults.readiness().size()
                            + " probes while Kafka or PostgreSQL was down" + (unexpected == 0 ? ""
                            : ": " + faults.readiness().stream().filter(p -> !p.asExpected())
                                    .map(p -> p.service() + " " + p.seen() + " (" + p.dependency() + " down)")
                                    .toList())));
        }
        return checks;
    }

    // ---- provider batches --------------------------------------------------------------------

    private Check providerBatches(Connection c) throws SQLException, IOException {
        Set<String> database = new HashSet<>();
        for (String id : strings(c, "SELECT provider_batch_id FROM batches WHERE provider_batch_id IS NOT NULL")) {
            database.add(id.replaceFirst("^batches/", ""));
        }
        Set<String> emulator = new HashSet<>();
        emulator.addAll(openAiBatches());
        emulator.addAll(anthropicBatches());
        emulator.addAll(geminiBatches());
        long orphans = emulator.stream().filter(id -> !database.contains(id)).count();
        long unknown = database.stream().filter(id -> !emulator.contains(id)).count();
        return new Check("duplicate provider batches", orphans + unknown, emulator.size() + " at the emulator, "
                + database.size() + " in the database" + (unknown > 0 ? ", " + unknown + " unknown to the emulator" : ""));
    }

    private Set<String> openAiBatches() throws IOException {
        Set<String> ids = new HashSet<>();
        String after = null;
        do {
            JsonNode page = json(Http.get(cluster.emulatorUrl() + "/openai/v1/batches?limit=100"
                    + (after == null ? "" : "&after=" + after), Map.of("Authorization", "Bearer "
                    + cluster.plan().secrets().providerKeys().get("openai"))));
            page.path("data").forEach(b -> ids.add(b.path("id").asText()));
            after = page.path("has_more").asBoolean(false) ? page.path("last_id").asText() : null;
        } while (after != null);
        return ids;
    }

    private Set<String> anthropicBatches() throws IOException {
        Set<String> ids = new HashSet<>();
        String after = null;
        do {
            JsonNode page = json(Http.get(cluster.emulatorUrl() + "/anthropic/v1/messages/batches?limit=1000"
                    + (after == null ? "" : "&after_id=" + after), Map.of("x-api-key",
                    cluster.plan().secrets().providerKeys().get("anthropic"), "anthropic-version", "2023-06-01")));
            page.path("data").forEach(b -> ids.add(b.path("id").asText()));
            after = page.path("has_more").asBoolean(false) ? page.path("last_id").asText() : null;
        } while (after != null);
        return ids;
    }

    private Set<String> geminiBatches() throws IOException {
        Set<String> ids = new HashSet<>();
        String token = null;
        do {
            JsonNode page = json(Http.get(cluster.emulatorUrl() + "/gemini/v1beta/batches?pageSize=100"
                    + (token == null ? "" : "&pageToken=" + token), Map.of("x-goog-api-key",
                    cluster.plan().secrets().providerKeys().get("gemini"))));
            page.path("operations").forEach(b -> ids.add(b.path("name").asText().replaceFirst("^batches/", "")));
            token = page.hasNonNull("nextPageToken") && !page.path("nextPageToken").asText().isEmpty()
                    ? page.path("nextPageToken").asText() : null;
        } while (token != null);
        return ids;
    }

    private static JsonNode json(Http.Answer answer) throws IOException {
        if (answer.status() != 200) {
            throw new IOException("the emulator answered " + answer.status() + ": " + answer.body());
        }
        return Json.mapper().readTree(answer.body());
    }

    // ---- money -------------------------------------------------------------------------------

    /**
     * Budgets against the results: each budget's spend on the ledger is the cost of the final results
     * its tasks paid for, no reservation is left once every task ended, and every line that cost money
     * for a budgeted tenant was charged.
     */
    private static Check budgetLedger(Connection c) throws SQLException {
        long differing = number(c, """
                WITH ledger AS (SELECT budget_id, sum(spent_usd) AS spent FROM budget_charges GROUP BY budget_id),
                     billed AS (SELECT ch.budget_id, sum(r.cost_usd) AS cost
                                  FROM budget_charges ch
                                  JOIN batch_items bi ON bi.tenant = ch.tenant AND bi.task_id = ch.task_id
                                  JOIN results r ON r.batch_id = bi.batch_id AND r.request_id = bi.request_id
                                                AND r.final
                                 GROUP BY ch.budget_id)
                SELECT count(*) FROM ledger l LEFT JOIN billed b USING (budget_id)
                 WHERE abs(l.spent - coalesce(b.cost, 0)) > 0.000000001""");
        long reserved = number(c, "SELECT count(*) FROM budget_charges WHERE state = 'reserved' OR reserved_usd <> 0");
        long uncharged = number(c, """
                SELECT count(*) FROM results r
                  JOIN batch_items bi ON bi.batch_id = r.batch_id AND bi.request_id = r.request_id
                 WHERE r.final AND r.cost_usd > 0
                   AND EXISTS (SELECT 1 FROM budgets b WHERE b.tenant = bi.tenant AND b.active)
                   AND NOT EXISTS (SELECT 1 FROM budget_charges ch
                                    WHERE ch.tenant = bi.tenant AND ch.task_id = bi.task_id)""");
        BigDecimal spent = decimal(c, "SELECT coalesce(sum(spent_usd), 0) FROM budget_charges");
        long budgets = number(c, "SELECT count(*) FROM budgets");
        long alerts = number(c, "SELECT count(*) FROM budget_alerts");
        return new Check("budget ledger off the results", differing + reserved + uncharged, budgets + " budgets, $"
                + spent.toPlainString() + " on the ledger as on the results; " + reserved + " reservations left, "
                + uncharged + " paid lines uncharged; " + alerts + " thresholds crossed");
    }

    private static Check doubleBilling(Connection c) throws SQLException {
        long twice = number(c, """
                SELECT count(*) FROM (SELECT request_id FROM results WHERE cost_usd > 0
                                       GROUP BY request_id HAVING count(*) > 1) AS t""");
        BigDecimal onTasks = decimal(c, "SELECT coalesce(sum(cost_usd), 0) FROM tasks");
        BigDecimal onResults = decimal(c, "SELECT coalesce(sum(cost_usd), 0) FROM results");
        long mismatch = onTasks.compareTo(onResults) == 0 ? 0 : 1;
        return new Check("double-billed lines", twice + mismatch, "billed $" + onResults.toPlainString()
                + " over results, $" + onTasks.toPlainString() + " over tasks");
    }

    // ---- events ------------------------------------------------------------------------------

    private Check taskEvents(Connection c, Map<String, Set<String>> eventIds, long records) throws SQLException {
        Set<String> ended = strings(c, "SELECT tenant || '/' || task_id FROM tasks WHERE status <> 'accepted'");
        long missing = ended.stream().filter(t -> !eventIds.containsKey(t)).count();
        long redelivered = records - eventIds.values().stream().mapToLong(Set::size).sum();
        return new Check("tasks without a task.completed event", missing, eventIds.size() + " tasks with an event; "
                + redelivered + " records delivered again after a fault, same event_id (consumers dedup by it)");
    }

    /** A task must end once: two task.completed events with different event ids would be two endings. */
    private static Check oneEnding(Map<String, Set<String>> eventIds) {
        long twice = eventIds.values().stream().filter(ids -> ids.size() > 1).count();
        return new Check("tasks that ended twice (two event ids)", twice, "one event id per task");
    }

    private Check jobEvents(ChaosWorkload.Sent sent) {
        Set<String> completed = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(Topics.JOB_COMPLETED)) {
            JsonNode event = parse(r.value());
            completed.add(event.path("tenant").asText() + "/" + event.path("job_id").asText());
        }
        long missing = sent.jobs().keySet().stream().filter(j -> !completed.contains(j)).count();
        return new Check("jobs without a job.completed event", missing, sent.jobs().size() + " jobs sealed");
    }

    /** The timestamp (ms) of the newest task.completed record. */
    long lastEventMillis() {
        return readAll(Topics.TASK_COMPLETED).stream().mapToLong(ConsumerRecord::timestamp).max().orElse(0);
    }

    /** Every committed record of a topic, read_committed, from the beginning to the end offsets of now. */
    List<ConsumerRecord<byte[], byte[]>> readAll(Topic<?, ?> topic) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    private static JsonNode parse(byte[] value) {
        try {
            return Json.mapper().readTree(value);
        } catch (IOException e) {
            return Json.mapper().createObjectNode();
        }
    }

    // ---- Kafka transactions ------------------------------------------------------------------

    /**
     * Partitions whose last stable offset sits behind the end of the log once the work is over: an
     * open transaction nobody will finish (a "hanging transaction", seen after broker SIGKILLs). A
     * read_committed reader, a Streams restore among them, cannot pass it; deploy/processes.md says how
     * an operator finds one, and why aborting it is not safe.
     */
    private Check hangingTransactions() throws Exception {
        List<String> stuck = new ArrayList<>();
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetSpec> all = new HashMap<>();
            for (TopicDescription topic : admin.describeTopics(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                topic.partitions().forEach(p -> all.put(new TopicPartition(topic.name(), p.partition()),
                        OffsetSpec.latest()));
            }
            var stable = admin.listOffsets(all, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(30, TimeUnit.SECONDS);
            var end = admin.listOffsets(all).all().get(30, TimeUnit.SECONDS);
            all.keySet().stream().filter(tp -> stable.get(tp).offset() < end.get(tp).offset()).sorted(
                    java.util.Comparator.comparing(TopicPartition::toString)).forEach(tp -> stuck.add(tp + " at "
                    + stable.get(tp).offset() + " of " + end.get(tp).offset()));
            return new Check("partitions held by a hanging transaction", stuck.size(), stuck.isEmpty()
                    ? all.size() + " partitions, none behind an open transaction" : String.join(", ", stuck));
        }
    }

    // ---- secrets -----------------------------------------------------------------------------

    private Check secrets(Connection c) throws Exception {
        List<String> secrets = cluster.plan().secrets().all();
        List<String> found = new ArrayList<>();
        List<Path> logs;
        try (Stream<Path> files = Files.list(cluster.plan().dir().resolve("logs"))) {
            logs = files.toList();
        }
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            secrets.stream().filter(text::contains).forEach(s -> found.add("log " + log.getFileName()));
        }
        for (Topic<?, ?> topic : Topics.all()) {
            for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
                StringBuilder text = new StringBuilder();
                text.append(r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8))
                        .append(r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
                r.headers().forEach(h -> text.append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)));
                secrets.stream().filter(s -> text.indexOf(s) >= 0).forEach(s -> found.add("topic " + topic.name()));
            }
        }
        List<String> tables = new ArrayList<>(strings(c, """
                SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
                 WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'"""));
        for (String table : tables) {
            for (String secret : secrets) {
                if (number(c, "SELECT count(*) FROM " + table + " AS t WHERE t::text LIKE '%" + secret + "%'") > 0) {
                    found.add("table " + table);
                }
            }
        }
        return new Check("secrets found", found.size(), found.isEmpty()
                ? secrets.size() + " secrets looked for in " + logs.size() + " logs, " + Topics.all().size()
                + " topics and " + tables.size() + " tables" : String.join(", ", found));
    }

    // ---- SQL helpers -------------------------------------------------------------------------

    private static Set<String> strings(Connection c, String sql) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static BigDecimal decimal(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getBigDecimal(1);
        }
    }
}
