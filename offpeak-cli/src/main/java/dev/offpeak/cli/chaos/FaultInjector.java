package dev.offpeak.cli.chaos;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Injects faults at random moments while work flows, and restarts what it broke after a short pause,
 * as a supervisor would: SIGKILL of any service replica (some aimed at a result-service in the middle
 * of an upload or a settlement, found by the leases it holds), and with infrastructure faults on, a
 * SIGKILL or a clean restart of the Kafka broker, a PostgreSQL crash ({@code pg_ctl stop -m
 * immediate}), an emulator restart, and a slow provider. It also restarts a service that exited by
 * itself, and counts that: a service must ride an outage out, not exit.
 */
final class FaultInjector {
    /** The kinds of fault. */
    enum Kind {
        KILL_SERVICE, KILL_RESULT_MID_UPLOAD, KILL_RESULT_MID_SETTLE,
        KILL_BROKER, RESTART_BROKER, CRASH_POSTGRES, RESTART_EMULATOR, SLOW_PROVIDER;

        boolean infrastructure() {
            return ordinal() >= KILL_BROKER.ordinal();
        }

        boolean killsAService() {
            return ordinal() <= KILL_RESULT_MID_SETTLE.ordinal();
        }
    }

    /** One fault: what, on which piece, when (wall clock and System.nanoTime), and for how long it was down. */
    record Fault(Kind kind, String target, Instant at, long atNanos, Duration down) {}

    private final ChaosCluster cluster;
    private final Random random;
    private final boolean infrastructure;
    private final Consumer<String> log;
    private final List<Fault> faults = new ArrayList<>();
    private final Map<String, Integer> selfExits = new java.util.TreeMap<>();

    FaultInjector(ChaosCluster cluster, long seed, boolean infrastructure, Consumer<String> log) {
        this.cluster = cluster;
        this.random = new Random(seed);
        this.infrastructure = infrastructure;
        this.log = log;
    }

    List<Fault> faults() {
        return List.copyOf(faults);
    }

    Map<String, Integer> selfExits() {
        return Map.copyOf(selfExits);
    }

    /** Injects {@code count} faults, one every {@code minGap}..{@code maxGap}, supervising the services between them. */
    void run(int count, Duration minGap, Duration maxGap) throws Exception {
        for (int i = 0; i < count; i++) {
            long gap = minGap.toMillis() + (long) (random.nextDouble() * (maxGap.toMillis() - minGap.toMillis()));
            supervise(gap);
            inject(pick(i));
        }
    }

    /** For {@code millis}, restarts any service that exited by itself (and counts it). */
    void supervise(long millis) throws Exception {
        long until = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < until) {
            for (Node node : cluster.services().values()) {
                if (!node.alive()) {
                    Integer code = node.exitCode();
                    selfExits.merge(node.name(), 1, Integer::sum);
                    log.accept(node.name() + " exited by itself (status " + code + "); restarting it");
                    node.start();
                }
            }
            Thread.sleep(200);
        }
    }

    /** Service kills only: mostly random replicas, some aimed at a result-service mid-upload or mid-settlement. */
    private static final List<Kind> SERVICE_PLAN = List.of(Kind.KILL_SERVICE, Kind.KILL_SERVICE,
            Kind.KILL_RESULT_MID_UPLOAD, Kind.KILL_SERVICE, Kind.KILL_RESULT_MID_SETTLE);
    /** With infrastructure: every kind early on, so even a short run meets a broker kill and a database crash. */
    private static final List<Kind> INFRASTRUCTURE_PLAN = List.of(Kind.KILL_SERVICE, Kind.KILL_RESULT_MID_UPLOAD,
            Kind.KILL_BROKER, Kind.KILL_SERVICE, Kind.CRASH_POSTGRES, Kind.KILL_RESULT_MID_SETTLE,
            Kind.RESTART_EMULATOR, Kind.KILL_SERVICE, Kind.RESTART_BROKER, Kind.SLOW_PROVIDER);

    private Kind pick(int index) {
        List<Kind> plan = infrastructure ? INFRASTRUCTURE_PLAN : SERVICE_PLAN;
        return plan.get(index % plan.size());
    }

    private void inject(Kind kind) throws Exception {
        Instant at = Instant.now();
        long atNanos = System.nanoTime();
        String target;
        long downMillis;
        switch (kind) {
            case KILL_SERVICE, KILL_RESULT_MID_UPLOAD, KILL_RESULT_MID_SETTLE -> {
                Optional<Node> aimed = kind == Kind.KILL_SERVICE ? Optional.empty() : leaseHolder(kind);
                if (kind != Kind.KILL_SERVICE && aimed.isEmpty()) {
                    kind = Kind.KILL_SERVICE; // no result-service was mid-way just now: any replica
                }
                Node node = aimed.orElseGet(this::anyService);
                target = node.name();
                node.kill();
                downMillis = 500 + random.nextInt(2500);
                Thread.sleep(downMillis);
                node.start();
            }
            case KILL_BROKER, RESTART_BROKER -> {
                target = "kafka";
                if (kind == Kind.KILL_BROKER) {
                    cluster.kafka().kill();
                } else {
                    cluster.kafka().stop(Duration.ofSeconds(60));
                }
                downMillis = 2000 + random.nextInt(4000);
                Thread.sleep(downMillis / 2);
                probeReadiness("kafka", List.of("ingest", "batcher"));
                Thread.sleep(downMillis - downMillis / 2);
                cluster.kafka().start();
                cluster.awaitKafka(Duration.ofSeconds(120));
            }
            case CRASH_POSTGRES -> {
                target = "postgres";
                cluster.crashPostgres();
                downMillis = 2000 + random.nextInt(4000);
                Thread.sleep(downMillis / 2);
                probeReadiness("postgres", List.of("result"));
                Thread.sleep(downMillis - downMillis / 2);
                cluster.restartPostgres();
            }
            case RESTART_EMULATOR -> {
                target = "emulator";
                cluster.emulator().kill();
                downMillis = 1000 + random.nextInt(2000);
                Thread.sleep(downMillis);
                cluster.emulator().start();
            }
            case SLOW_PROVIDER -> {
                target = "emulator";
                downMillis = 0;
                for (String provider : List.of("openai", "anthropic", "gemini")) {
                    Http.post(cluster.emulatorUrl() + "/_emulator/faults", "application/json",
                            "{\"provider\":\"" + provider + "\",\"operation\":\"get_batch\",\"count\":20,"
                                    + "\"delay_ms\":3000}", Map.of(), Duration.ofSeconds(10));
                }
            }
            default -> throw new IllegalStateException("unknown fault " + kind);
        }
        Fault fault = new Fault(kind, target, at, atNanos, Duration.ofMillis(downMillis));
        faults.add(fault);
        log.accept(String.format("fault %d: %s %s (down %d ms)", faults.size(), kind, target, downMillis));
    }

    private Node anyService() {
        List<Node> all = new ArrayList<>(cluster.services().values());
        return all.get(random.nextInt(all.size()));
    }

    /** A result-service holding a lease on a batch being uploaded, or one being polled and settled. */
    private Optional<Node> leaseHolder(Kind kind) {
        String state = kind == Kind.KILL_RESULT_MID_UPLOAD ? "submitting" : "in_flight";
        return leaseHolder(state).map(name -> cluster.services().get(name));
    }

    /**
     * While a dependency is down, asks every replica of the services that need it whether it is ready:
     * each must still be alive and must answer not-ready (503), not ready and not silent.
     */
    private void probeReadiness(String dependency, List<String> prefixes) {
        for (Node node : cluster.services().values()) {
            if (prefixes.stream().noneMatch(p -> node.name().startsWith(p))) {
                continue;
            }
            Http.Answer answer = Http.get(cluster.readyUrl(node), Map.of());
            // a replica still starting (restarted by an earlier fault) has no port open yet: a probe
            // is refused, which a supervisor reads as not ready; a port that is open but silent is not
            String seen = !node.alive() ? "dead" : answer.status() == 503 ? "not-ready"
                    : answer.reached() ? "answered " + answer.status()
                    : answer.body().contains("ConnectException") ? "starting" : "no answer";
            readiness.add(new Probe(dependency, node.name(), seen));
            log.accept(String.format("  %s down: %s /health/ready -> %s", dependency, node.name(), seen));
        }
    }

    /** One readiness probe during an outage. */
    record Probe(String dependency, String service, String seen) {
        boolean asExpected() {
            return "not-ready".equals(seen) || "starting".equals(seen);
        }
    }

    private final List<Probe> readiness = new ArrayList<>();

    List<Probe> readiness() {
        return List.copyOf(readiness);
    }

    private Optional<String> leaseHolder(String state) {
        try (Connection c = cluster.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT lease_owner FROM batches WHERE state = '" + state
                     + "' AND lease_owner IS NOT NULL AND lease_until > now() LIMIT 1")) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            return Optional.empty();
        }
    }
}
