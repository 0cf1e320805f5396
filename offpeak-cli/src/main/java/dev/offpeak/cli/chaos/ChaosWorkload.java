package dev.offpeak.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.cli.demo.DemoWorkload;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the demo workload (three tenants' nightly jobs, all three providers, duplicates, shared system
 * prompts) to ingest over HTTP as a producer would: bulk NDJSON in chunks, each line resent until the
 * broker acknowledged it (a killed ingest or a broker outage answers 503, a refused connection or
 * nothing), since the task id makes a resend safe; then each job is sealed, again until it is taken.
 * It records every task id it got acknowledged, which the checks compare with the database.
 */
final class ChaosWorkload {
    private static final int CHUNK = 250;

    /** What was sent: every acknowledged task per tenant, and the jobs with their sizes. */
    record Sent(Map<String, Set<String>> tasksByTenant, Map<String, Integer> jobs, long resends, long contentRejects) {
        long taskCount() {
            return tasksByTenant.values().stream().mapToLong(Set::size).sum();
        }
    }

    private final String ingestUrl;
    private final AtomicLong resends = new AtomicLong();

    ChaosWorkload(String ingestUrl) {
        this.ingestUrl = ingestUrl;
    }

    Sent send(int size, double duplicateRate, long seed, String runId, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Set<String>> acknowledged = new LinkedHashMap<>();
        Map<String, Integer> jobs = new LinkedHashMap<>();
        long contentRejects = 0;
        for (DemoWorkload.TenantJob job : new DemoWorkload(size, duplicateRate, seed, runId).jobs()) {
            Map<String, String> auth = Map.of("Authorization", "Bearer " + ChaosCluster.TOKENS.get(job.tenant()));
            Set<String> taken = acknowledged.computeIfAbsent(job.tenant(), t -> new LinkedHashSet<>());
            for (int from = 0; from < job.lines().size(); from += CHUNK) {
                List<String> chunk = job.lines().subList(from, Math.min(job.lines().size(), from + CHUNK));
                contentRejects += sendUntilTaken(chunk, auth, taken, deadline);
            }
            seal(job, auth, deadline);
            jobs.put(job.tenant() + "/" + job.jobId(), job.lines().size());
        }
        return new Sent(acknowledged, jobs, resends.get(), contentRejects);
    }

    /** Posts the lines, then again those not acknowledged, until all are; returns lines refused for content. */
    private long sendUntilTaken(List<String> lines, Map<String, String> auth, Set<String> taken, long deadline)
            throws IOException {
        List<String> pending = new ArrayList<>(lines);
        long rejects = 0;
        int attempt = 0;
        while (!pending.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("ingest did not take " + pending.size() + " tasks before the deadline");
            }
            if (attempt++ > 0) {
                resends.addAndGet(pending.size());
                sleep(Math.min(2000, 100L * attempt));
            }
            Http.Answer answer = Http.post(ingestUrl + "/v1/tasks:bulk", "application/x-ndjson",
                    String.join("\n", pending) + "\n", auth, Duration.ofSeconds(60));
            if (!answer.reached() || answer.status() >= 500 && answer.body().isBlank()) {
                continue;
            }
            JsonNode body = Json.mapper().readTree(answer.body());
            Set<Integer> acked = new HashSet<>();
            for (JsonNode ok : body.path("accepted_tasks")) {
                acked.add(ok.path("line").asInt());
                taken.add(ok.path("task_id").asText());
            }
            List<String> again = new ArrayList<>();
            for (JsonNode bad : body.path("rejected_lines")) {
                int line = bad.path("line").asInt();
                if ("kafka_unavailable".equals(bad.at("/error/code").asText())) {
                    again.add(pending.get(line - 1));
                } else {
                    rejects++;
                }
                acked.add(line);
            }
            if (body.path("rejected_lines_truncated").asBoolean(false) || answer.status() >= 500
                    && acked.isEmpty()) {
                continue; // not told about every line: send them all again
            }
            for (int i = 0; i < pending.size(); i++) {
                if (!acked.contains(i + 1)) {
                    again.add(pending.get(i));
                }
            }
            pending = again;
        }
        return rejects;
    }

    private void seal(DemoWorkload.TenantJob job, Map<String, String> auth, long deadline) throws IOException {
        while (true) {
            Http.Answer answer = Http.post(ingestUrl + "/v1/jobs/" + job.jobId() + ":seal", "application/json",
                    "{\"task_count\":" + job.lines().size() + "}", auth, Duration.ofSeconds(30));
            if (answer.status() == 202) {
                return;
            }
            if (answer.reached() && answer.status() < 500) {
                throw new IOException("ingest refused the seal of " + job.jobId() + ": " + answer.status() + " "
                        + answer.body());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("ingest did not take the seal of " + job.jobId() + " before the deadline");
            }
            sleep(500);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
