package dev.offpeak.cli.chaos;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The system test, top to bottom: start every piece as its own process, send the workload while
 * faults hit, wait for the work to end, check, print the report. {@link #run} returns whether every
 * check passed.
 */
public final class ChaosRun {
    /** A run's shape. */
    /** @param transactionVersion the broker's {@code transaction.version} feature (1 or 2), set when it is formatted */
    public record Options(int tasks, double duplicateRate, int faults, boolean infrastructure, int batchers,
            int results, long seed, Path dir, Duration timeout, Duration minGap, Duration maxGap, boolean keep,
            int transactionVersion) {}

    /** What a run found, for callers that assert on it (the short run in the tests). */
    public record Outcome(boolean passed, List<ChaosChecks.Check> checks, Map<String, Integer> faultsByKind,
            Duration longestStall, Duration lastFaultToLastEvent, long tasks) {}

    /** The longest a single kill may hold the pipeline still. */
    public static final Duration STALL_TARGET = Duration.ofSeconds(15);

    private ChaosRun() {
    }

    public static Outcome run(Options options, PrintWriter out) throws Exception {
        ChaosCluster.Plan plan = new ChaosCluster.Plan(options.dir(), options.batchers(), options.results(),
                ChaosCluster.Secrets.random(), options.transactionVersion());
        long started = System.nanoTime();
        out.printf("chaos: starting every piece as its own process under %s%n", options.dir());
        out.flush();
        try (ChaosCluster cluster = ChaosCluster.start(plan, step -> say(out, "  " + step))) {
            say(out, String.format("  started in %.1f s", (System.nanoTime() - started) / 1e9));
            setBudgets(cluster, out);
            try (ProgressMeter meter = new ProgressMeter(cluster)) {
                FaultInjector injector = new FaultInjector(cluster, options.seed(), options.infrastructure(),
                        line -> say(out, "  " + line));
                ChaosWorkload workload = new ChaosWorkload(cluster.ingestUrl());
                CompletableFuture<ChaosWorkload.Sent> sending = CompletableFuture.supplyAsync(() -> {
                    try {
                        return workload.send(options.tasks(), options.duplicateRate(), options.seed(),
                                "chaos" + Long.toHexString(options.seed()));
                    } catch (RuntimeException e) {
                        throw new IllegalStateException("sending the workload failed: " + e.getMessage(), e);
                    }
                });
                injector.run(options.faults(), options.minGap(), options.maxGap());
                ChaosWorkload.Sent sent = awaitSent(sending, injector, options.timeout());
                say(out, String.format("  workload: %d tasks acknowledged in %d jobs (%d lines resent)",
                        sent.taskCount(), sent.jobs().size(), sent.resends()));
                ChaosChecks checks = new ChaosChecks(cluster);
                long deadline = System.nanoTime() + options.timeout().toNanos();
                boolean done = false;
                while (!done && System.nanoTime() < deadline) {
                    injector.supervise(1000);
                    done = checks.awaitDone(sent, Duration.ofSeconds(1));
                }
                if (!done) {
                    say(out, "  the work did not end within " + options.timeout() + "; checking what there is");
                }
                List<ChaosChecks.Check> results = new ArrayList<>(checks.run(sent, injector));
                Stalls stalls = stalls(injector.faults(), meter);
                Duration stall = stalls.longest();
                Duration recovery = lastFaultToLastEvent(injector, checks);
                results.add(new ChaosChecks.Check("kills that stalled the pipeline over " + STALL_TARGET.toSeconds()
                        + " s", stalls.over(STALL_TARGET), "longest stall after a kill " + seconds(stall) + " s"
                        + stalls.where() + "; " + stalls.measured() + " kills measured, " + stalls.overlapped()
                        + " overlapped an infrastructure outage"));
                results.add(new ChaosChecks.Check("work not ended in time", done ? 0 : 1, "last fault to last"
                        + " task.completed " + seconds(recovery) + " s"));
                Map<String, Integer> byKind = new TreeMap<>();
                injector.faults().forEach(f -> byKind.merge(f.kind().name(), 1, Integer::sum));
                boolean passed = results.stream().allMatch(c -> c.failures() == 0);
                print(out, options, sent, byKind, results, passed);
                if (options.keep()) {
                    keepRunning(cluster, out);
                }
                return new Outcome(passed, results, byKind, stall, recovery, sent.taskCount());
            }
        }
    }

    /** Leaves every process running for the operator (the CLI against this deployment) until the JVM is stopped. */
    private static void keepRunning(ChaosCluster cluster, PrintWriter out) throws InterruptedException {
        out.printf("processes kept running until Ctrl-C:%n  OFFPEAK_URL=%s%n  OFFPEAK_READ_URL=http://127.0.0.1:%d%n"
                + "  tokens: %s%n  database %s (user postgres), Kafka %s%n", cluster.ingestUrl(), cluster.resultPort(1),
                ChaosCluster.TOKENS, cluster.jdbcUrl(), cluster.bootstrap());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "chaos-stop"));
        stopped.await();
    }

    /**
     * Sets a budget per tenant through result-service's admin API, as an operator would: a hard one
     * far above the run's spend for acme (admitted under its lock, never refusing), soft ones small
     * enough for the others to cross every threshold. The checks then hold the ledger to the results.
     */
    private static void setBudgets(ChaosCluster cluster, PrintWriter out) throws InterruptedException {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + cluster.plan().secrets().adminToken());
        for (String tenant : new java.util.TreeSet<>(ChaosCluster.TOKENS.keySet())) {
            String body = tenant.equals("acme")
                    ? "{\"tenant\":\"acme\",\"limit_usd\":\"1000\",\"period\":\"month\",\"mode\":\"hard\"}"
                    : "{\"tenant\":\"" + tenant + "\",\"limit_usd\":\"0.01\",\"period\":\"month\",\"mode\":\"soft\"}";
            String url = "http://127.0.0.1:" + cluster.resultPort(1) + "/v1/admin/budgets/chaos-" + tenant;
            Http.Answer answer = Http.put(url, body, auth);
            for (int attempt = 1; answer.status() != 200 && attempt < 20; attempt++) {
                Thread.sleep(500);
                answer = Http.put(url, body, auth);
            }
            if (answer.status() != 200) {
                throw new IllegalStateException("could not set budget chaos-" + tenant + ": " + answer.status());
            }
        }
        say(out, "  budgets: chaos-acme (hard, $1000 a month), chaos-globex and chaos-initech (soft, $0.01 a month)");
    }

    /** Keeps supervising the services while the workload is still being sent. */
    private static ChaosWorkload.Sent awaitSent(CompletableFuture<ChaosWorkload.Sent> sending,
            FaultInjector injector, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!sending.isDone() && System.nanoTime() < deadline) {
            injector.supervise(500);
        }
        return sending.get(1, TimeUnit.SECONDS);
    }

    /**
     * What the kills did to the pipeline's pace.
     *
     * @param longest    the longest stall of a measured kill
     * @param where      which kill that was, in words (empty when none was measured)
     * @param stalls     every measured kill's stall
     * @param overlapped kills not measured because an infrastructure outage fell within their stall
     */
    record Stalls(Duration longest, String where, List<Duration> stalls, int overlapped) {
        int measured() {
            return stalls.size();
        }

        int over(Duration target) {
            return (int) stalls.stream().filter(d -> d.compareTo(target) > 0).count();
        }
    }

    /** How long after an infrastructure outage ends its clients may still be reconnecting. */
    private static final long OUTAGE_AFTERMATH_NANOS = Duration.ofSeconds(10).toNanos();

    /**
     * The time from each service kill to the next move of the pipeline, over the kills that hit it
     * while work was flowing (it moved in the 2 s before): a kill while the pipeline waited anyway
     * (for a provider, for a batch to fill) or after the work ended says nothing about the kill. A kill
     * whose stall overlaps a broker, database or emulator outage (or the first seconds after one) is
     * not measured either: that stall belongs to the outage.
     */
    static Stalls stalls(List<FaultInjector.Fault> faults, ProgressMeter meter) {
        long longest = 0;
        String where = "";
        List<Duration> measured = new ArrayList<>();
        int overlapped = 0;
        for (int i = 0; i < faults.size(); i++) {
            FaultInjector.Fault fault = faults.get(i);
            if (!fault.kind().killsAService()
                    || !meter.movingBefore(fault.atNanos(), Duration.ofSeconds(2).toNanos())) {
                continue;
            }
            long stall = meter.firstMoveAfter(fault.atNanos()).orElse(0L);
            if (outageWithin(faults, fault.atNanos(), fault.atNanos() + stall)) {
                overlapped++;
                continue;
            }
            measured.add(Duration.ofNanos(stall));
            if (stall > longest) {
                longest = stall;
                where = " (fault " + (i + 1) + ": " + fault.kind() + " " + fault.target() + ")";
            }
        }
        return new Stalls(Duration.ofNanos(longest), where, measured, overlapped);
    }

    private static boolean outageWithin(List<FaultInjector.Fault> faults, long from, long to) {
        for (FaultInjector.Fault f : faults) {
            if (f.kind().killsAService() || f.kind() == FaultInjector.Kind.SLOW_PROVIDER) {
                continue;
            }
            long start = f.atNanos();
            long end = start + f.down().toNanos() + OUTAGE_AFTERMATH_NANOS;
            if (start <= to && end >= from) {
                return true;
            }
        }
        return false;
    }

    private static Duration lastFaultToLastEvent(FaultInjector injector, ChaosChecks checks) {
        List<FaultInjector.Fault> faults = injector.faults();
        if (faults.isEmpty()) {
            return Duration.ZERO;
        }
        FaultInjector.Fault last = faults.getLast();
        Instant recovered = last.at().plus(last.down());
        long lastEvent = checks.lastEventMillis();
        return lastEvent == 0 ? Duration.ZERO
                : Duration.ofMillis(Math.max(0, lastEvent - recovered.toEpochMilli()));
    }

    private static void print(PrintWriter out, Options options, ChaosWorkload.Sent sent, Map<String, Integer> byKind,
            List<ChaosChecks.Check> checks, boolean passed) {
        out.printf(Locale.ROOT, "%nchaos: %d tasks, %d jobs, %d faults %s; %d batchers, %d result-services, seed %d%n",
                sent.taskCount(), sent.jobs().size(), byKind.values().stream().mapToInt(Integer::intValue).sum(),
                byKind, options.batchers(), options.results(), options.seed());
        for (ChaosChecks.Check check : checks) {
            out.printf(Locale.ROOT, "  %-44s %6d   %s%n", check.name(), check.failures(), check.detail());
        }
        out.println(passed ? "chaos: PASSED" : "chaos: FAILED");
        out.flush();
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    private static void say(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }
}
