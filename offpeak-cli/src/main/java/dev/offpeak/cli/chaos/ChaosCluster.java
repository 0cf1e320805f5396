package dev.offpeak.cli.chaos;

import dev.offpeak.schemas.topics.Topic;
import dev.offpeak.schemas.topics.Topics;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * Offpeak as an operator runs it, every piece its own OS process: a KRaft Kafka broker
 * ({@code kafka.Kafka}), a PostgreSQL server, the provider emulator, one ingest, N batchers and N
 * result-services, each configured only through the environment variables of
 * {@code deploy/processes.md}. Ports are chosen once, so a piece restarted after a fault comes back
 * where its clients expect it.
 */
final class ChaosCluster implements AutoCloseable {
    /** The tenants of the workload, with their bearer tokens. */
    static final Map<String, String> TOKENS = Map.of("acme", "chaos-acme-token", "globex", "chaos-globex-token",
            "initech", "chaos-initech-token");
    /** Partitions of every pipeline topic (the DLQ has one). */
    static final int PARTITIONS = 4;

    /** What the run is given: how many replicas, where to keep state, and the secrets to watch for. */
    record Plan(Path dir, int batchers, int results, Secrets secrets, int transactionVersion) {}

    /** Distinctive secrets: after the run, none may appear in a log, a topic, a table or an error body. */
    record Secrets(String dbPassword, Map<String, String> providerKeys, String adminToken) {
        static Secrets random() {
            String tag = Uuid.randomUuid().toString().replaceAll("[^A-Za-z0-9]", "");
            return new Secrets("pg-chaos-" + tag, Map.of("openai", "sk-chaos-openai-" + tag,
                    "anthropic", "sk-ant-chaos-" + tag, "gemini", "AIza-chaos-" + tag), "admin-chaos-" + tag);
        }

        List<String> all() {
            List<String> all = new ArrayList<>(providerKeys.values());
            all.add(dbPassword);
            all.add(adminToken);
            return all;
        }
    }

    private final Plan plan;
    private final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final String classpath = System.getProperty("java.class.path");
    private final int kafkaPort;
    private final int controllerPort;
    private final int postgresPort;
    private final int emulatorPort;
    private final Map<String, Node> services = new LinkedHashMap<>();
    private Node kafka;
    private Node emulator;
    private EmbeddedPostgres postgres;

    static {
        // closing the embedded server's handle after a crash asks pg_ctl to stop a server that is gone;
        // that is expected here, not an error to print
        System.setProperty("org.slf4j.simpleLogger.log.io.zonky.test.db.postgres.embedded.EmbeddedPostgres", "off");
    }

    private ChaosCluster(Plan plan) throws IOException {
        this.plan = plan;
        this.kafkaPort = freePort();
        this.controllerPort = freePort();
        this.postgresPort = freePort();
        this.emulatorPort = freePort();
    }

    /** Starts every piece in dependency order, or stops what it started and throws. */
    static ChaosCluster start(Plan plan, Consumer<String> progress) throws Exception {
        ChaosCluster cluster = new ChaosCluster(plan);
        try {
            cluster.startAll(progress);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll(Consumer<String> progress) throws Exception {
        Files.createDirectories(plan.dir());
        progress.accept("PostgreSQL on port " + postgresPort);
        startPostgres();
        createDatabase();
        progress.accept("Kafka broker (KRaft) on port " + kafkaPort);
        kafka = kafkaNode();
        formatKafka();
        kafka.start();
        awaitKafka(Duration.ofSeconds(90));
        createTopics();
        progress.accept("provider emulator on port " + emulatorPort);
        emulator = new Node("emulator", List.of(javaBin, "-Xmx512m", "-XX:+UseSerialGC", "-cp", classpath,
                "dev.offpeak.emulator.EmulatorMain", "--host", "127.0.0.1", "--port", String.valueOf(emulatorPort),
                "--fast", "--data-dir", plan.dir().resolve("emulator").toString()), Map.of(),
                plan.dir().resolve("logs/emulator.log"));
        emulator.start();
        Path tokens = writeTokenFile();
        for (int i = 1; i <= plan.results(); i++) {
            add(serviceNode("result-" + i, "dev.offpeak.result.ResultMain", resultEnv(i, tokens)));
        }
        for (int i = 1; i <= plan.batchers(); i++) {
            add(serviceNode("batcher-" + i, "dev.offpeak.batcher.BatcherMain", batcherEnv(i)));
        }
        add(serviceNode("ingest-1", "dev.offpeak.ingest.IngestMain", ingestEnv(tokens)));
        progress.accept("services: " + String.join(", ", services.keySet()));
        for (Node node : services.values()) {
            node.start();
        }
        awaitReady(Duration.ofSeconds(180));
    }

    private void add(Node node) {
        services.put(node.name(), node);
    }

    // ---- environments, as deploy/processes.md lists them ----------------------------------------

    private Map<String, String> resultEnv(int i, Path tokens) {
        Map<String, String> env = new HashMap<>();
        env.put("OFFPEAK_DB_URL", jdbcUrl());
        env.put("OFFPEAK_DB_USER", "offpeak");
        env.put("OFFPEAK_DB_PASSWORD", plan.secrets().dbPassword());
        env.put("OFFPEAK_KAFKA_BOOTSTRAP", bootstrap());
        env.put("OFFPEAK_RESULT_INSTANCE", "result-" + i);
        env.put("OFFPEAK_RESULT_HTTP_HOST", "127.0.0.1");
        env.put("OFFPEAK_RESULT_HTTP_PORT", String.valueOf(resultPort(i)));
        env.put("OFFPEAK_RESULT_TOKEN_FILE", tokens.toString());
        env.put("OFFPEAK_RESULT_ADMIN_TOKEN", plan.secrets().adminToken());
        env.put("OFFPEAK_RESULT_SPOOL_DIR", plan.dir().resolve("spool-" + i).toString());
        env.put("OFFPEAK_RESULT_TICK", "200ms");
        env.put("OFFPEAK_RESULT_FIRST_POLL", "500ms");
        env.put("OFFPEAK_RESULT_POLL_MAX", "2s");
        env.put("OFFPEAK_RESULT_QUOTA_WAIT", "5s");
        for (String provider : List.of("OPENAI", "ANTHROPIC", "GEMINI")) {
            String path = switch (provider) {
                case "OPENAI" -> "/openai/v1";
                case "ANTHROPIC" -> "/anthropic";
                default -> "/gemini";
            };
            env.put("OFFPEAK_" + provider + "_BASE_URL", "http://127.0.0.1:" + emulatorPort + path);
            env.put("OFFPEAK_" + provider + "_API_KEY", plan.secrets().providerKeys().get(provider.toLowerCase()));
        }
        return env;
    }

    private Map<String, String> batcherEnv(int i) {
        Map<String, String> env = new HashMap<>();
        env.put("OFFPEAK_KAFKA_BOOTSTRAP", bootstrap());
        env.put("OFFPEAK_BATCHER_INSTANCE_ID", "batcher-" + i);
        env.put("OFFPEAK_BATCHER_STATE_DIR", plan.dir().resolve("batcher-" + i).toString());
        env.put("OFFPEAK_BATCHER_HTTP_PORT", String.valueOf(batcherPort(i)));
        env.put("OFFPEAK_BATCHER_MAX_WAIT", "5s");
        env.put("OFFPEAK_BATCHER_CHECK_INTERVAL", "500ms");
        env.put("OFFPEAK_BATCHER_SEAL_GRACE", "1s");
        return env;
    }

    private Map<String, String> ingestEnv(Path tokens) {
        Map<String, String> env = new HashMap<>();
        env.put("OFFPEAK_KAFKA_BOOTSTRAP", bootstrap());
        env.put("OFFPEAK_INGEST_HOST", "127.0.0.1");
        env.put("OFFPEAK_INGEST_PORT", String.valueOf(ingestPort()));
        env.put("OFFPEAK_INGEST_TOKEN_FILE", tokens.toString());
        return env;
    }

    private Node serviceNode(String name, String mainClass, Map<String, String> env) {
        return new Node(name, List.of(javaBin, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                classpath, mainClass), env, plan.dir().resolve("logs/" + name + ".log"));
    }

    private Path writeTokenFile() throws IOException {
        StringBuilder json = new StringBuilder("{\"tenants\": [");
        List<String> entries = new ArrayList<>();
        TOKENS.forEach((tenant, token) -> entries.add("{\"tenant\": \"" + tenant + "\", \"token_sha256\": [\""
                + sha256Hex(token) + "\"]}"));
        json.append(String.join(", ", entries)).append("]}");
        return Files.writeString(plan.dir().resolve("tokens.json"), json);
    }

    // ---- ports and addresses ----------------------------------------------------------------

    private final Map<String, Integer> servicePorts = new HashMap<>();

    private synchronized int port(String name) {
        return servicePorts.computeIfAbsent(name, n -> {
            try {
                return freePort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    int ingestPort() {
        return port("ingest-1");
    }

    int resultPort(int i) {
        return port("result-" + i);
    }

    int batcherPort(int i) {
        return port("batcher-" + i);
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/offpeak";
    }

    String emulatorUrl() {
        return "http://127.0.0.1:" + emulatorPort;
    }

    String ingestUrl() {
        return "http://127.0.0.1:" + ingestPort();
    }

    Plan plan() {
        return plan;
    }

    Map<String, Node> services() {
        return services;
    }

    Node kafkaNode() {
        return kafka != null ? kafka : new Node("kafka", List.of(javaBin, "-Xmx768m", "-cp", classpath, "kafka.Kafka",
                plan.dir().resolve("kafka/server.properties").toString()), Map.of(),
                plan.dir().resolve("logs/kafka.log"));
    }

    Node kafka() {
        return kafka;
    }

    Node emulator() {
        return emulator;
    }

    /** A connection as the harness (the checks), never as a service. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    // ---- PostgreSQL --------------------------------------------------------------------------

    private void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(plan.dir().resolve("postgres"))
                .setCleanDataDirectory(false)
                .setPort(postgresPort)
                .setRegisterShutdownHook(false)
                .setServerConfig("max_connections", "200")
                // as in production: a commit the services were told about survives a crash (the embedded
                // server's defaults turn both off, which would lose acknowledged commits on a crash)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
    }

    private void createDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE ROLE offpeak LOGIN CREATEROLE PASSWORD '" + plan.secrets().dbPassword() + "'");
            s.execute("CREATE DATABASE offpeak OWNER offpeak");
        }
    }

    /** {@code pg_ctl stop -m immediate}: SIGQUIT to the postmaster, which ends every backend without a checkpoint. */
    void crashPostgres() throws IOException, InterruptedException {
        long pid = Long.parseLong(Files.readAllLines(plan.dir().resolve("postgres/postmaster.pid")).getFirst().trim());
        new ProcessBuilder("kill", "-QUIT", String.valueOf(pid)).inheritIO().start().waitFor();
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(60, TimeUnit.SECONDS).join());
        try {
            postgres.close(); // the server is gone; this only releases the data directory
        } catch (IOException | RuntimeException e) {
            // expected: there is no server left to stop
        }
    }

    /** Starts the server again on the same data directory and port; it recovers from its WAL. */
    void restartPostgres() throws IOException {
        startPostgres();
    }

    // ---- Kafka -------------------------------------------------------------------------------

    private void formatKafka() throws IOException, InterruptedException {
        Path dir = plan.dir().resolve("kafka");
        Files.createDirectories(dir);
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + kafkaPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + kafkaPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "");
        Path file = Files.writeString(dir.resolve("server.properties"), props);
        Process format = new ProcessBuilder(javaBin, "-cp", classpath, "kafka.tools.StorageTool", "format",
                "--standalone", "-t", Uuid.randomUuid().toString(), "-c", file.toString(),
                "--feature", "transaction.version=" + plan.transactionVersion())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        Files.createDirectories(plan.dir().resolve("logs")).resolve("kafka-format.log").toFile()))
                .start();
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IOException("formatting the Kafka log directory failed; see " + plan.dir().resolve("logs"));
        }
    }

    /** Waits until the broker answers a metadata request. */
    void awaitKafka(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException("the Kafka broker did not answer in " + timeout + ": " + last);
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10000));
    }

    private void createTopics() throws Exception {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> topic : Topics.all()) {
                if (!existing.contains(topic.name())) {
                    missing.add(new NewTopic(topic.name(), topic == Topics.TASKS_DLQ ? 1 : PARTITIONS, (short) 1));
                }
            }
            admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
        }
    }

    // ---- readiness ---------------------------------------------------------------------------

    /** Waits until every service answers 200 on /health/ready. */
    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Node node : services.values()) {
            String url = "http://127.0.0.1:" + port(node.name()) + "/health/ready";
            while (!Http.ok(url)) {
                if (!node.alive()) {
                    throw new IllegalStateException(node.name() + " exited with status " + node.exitCode()
                            + " at start; see " + node.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(node.name() + " was not ready in " + timeout + "; see " + node.log());
                }
                Thread.sleep(250);
            }
        }
    }

    /** The readiness URL of a service. */
    String readyUrl(Node node) {
        return "http://127.0.0.1:" + port(node.name()) + "/health/ready";
    }

    @Override
    public void close() {
        for (Node node : services.values()) {
            stopQuietly(node);
        }
        stopQuietly(emulator);
        stopQuietly(kafka);
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException | RuntimeException e) {
                // already gone
            }
        }
    }

    private static void stopQuietly(Node node) {
        if (node == null) {
            return;
        }
        try {
            node.stop(Duration.ofSeconds(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    static String sha256Hex(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
