package dev.offpeak.cli.chaos;

import dev.offpeak.cli.demo.DemoWorkload;
import dev.offpeak.cli.http.IngestClient;
import dev.offpeak.cli.http.Retry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sends the demo workload (three tenants' nightly jobs, all three providers, duplicates, shared system
 * prompts) to ingest over HTTP as a producer would, through the CLI's {@link IngestClient}: bulk NDJSON
 * in chunks, each line resent until the broker acknowledged it (a killed ingest or a broker outage
 * answers 503, a refused connection or nothing; the task id makes a resend safe), then each job sealed.
 * Its retries are patient enough to outlast any fault the run injects. It records every task id it got
 * acknowledged, which the checks compare with the database.
 */
final class ChaosWorkload {
    private static final int CHUNK = 250;
    /** 0.5 s doubling to 2 s, 90 times: three minutes of outage before a send gives up. */
    private static final Retry PATIENT = new Retry(90, Duration.ofMillis(500), Duration.ofSeconds(2));

    /** What was sent: every acknowledged task per tenant, and the jobs with their sizes. */
    record Sent(Map<String, Set<String>> tasksByTenant, Map<String, Integer> jobs, long resends, long contentRejects) {
        long taskCount() {
            return tasksByTenant.values().stream().mapToLong(Set::size).sum();
        }
    }

    private final String ingestUrl;

    ChaosWorkload(String ingestUrl) {
        this.ingestUrl = ingestUrl;
    }

    Sent send(int size, double duplicateRate, long seed, String runId) {
        Map<String, Set<String>> acknowledged = new LinkedHashMap<>();
        Map<String, Integer> jobs = new LinkedHashMap<>();
        long resends = 0;
        long contentRejects = 0;
        for (DemoWorkload.TenantJob job : new DemoWorkload(size, duplicateRate, seed, runId).jobs()) {
            IngestClient ingest = new IngestClient(ingestUrl, ChaosCluster.TOKENS.get(job.tenant()), PATIENT,
                    note -> { });
            Set<String> taken = acknowledged.computeIfAbsent(job.tenant(), t -> new LinkedHashSet<>());
            for (int from = 0; from < job.lines().size(); from += CHUNK) {
                List<String> chunk = job.lines().subList(from, Math.min(job.lines().size(), from + CHUNK));
                IngestClient.Upload upload = ingest.bulk(chunk, from + 1);
                taken.addAll(upload.acceptedTaskIds());
                resends += upload.resent();
                contentRejects += upload.rejected();
            }
            ingest.seal(job.jobId(), job.lines().size());
            jobs.put(job.tenant() + "/" + job.jobId(), job.lines().size());
        }
        return new Sent(acknowledged, jobs, resends, contentRejects);
    }
}
