package dev.offpeak.cli.demo;

import dev.offpeak.cli.CliException;
import dev.offpeak.cli.http.IngestClient;
import dev.offpeak.cli.local.Endpoints;
import dev.offpeak.cli.local.LocalStack;
import dev.offpeak.cli.report.JobProgress;
import dev.offpeak.cli.source.DatabaseSource;
import dev.offpeak.result.read.JobReport;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One demo run against a running local stack, the way a customer would drive it: each tenant
 * posts its nightly job to ingest over HTTP with its own token and seals it; then we wait until
 * the result service has settled every task, and read the report from the database.
 */
public final class DemoRun {
    /** Lines per bulk request: big enough to be cheap, small enough to keep each answer short. */
    static final int CHUNK = 2_000;

    private DemoRun() {}

    public static JobReport run(LocalStack stack, DemoWorkload workload, Duration timeout, PrintWriter out)
            throws Exception {
        Endpoints endpoints = stack.endpoints();
        List<DemoWorkload.TenantJob> jobs = workload.jobs();
        long total = jobs.stream().mapToLong(j -> j.lines().size()).sum();
        String jobId = jobs.getFirst().jobId();
        out.printf(Locale.ROOT, "Submitting %,d tasks of %d tenants (job %s) to %s ...%n", total, jobs.size(), jobId,
                endpoints.ingestUrl());
        out.flush();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(jobs.size())) {
            List<Future<Integer>> sent = new ArrayList<>();
            for (DemoWorkload.TenantJob job : jobs) {
                sent.add(pool.submit(() -> submit(new IngestClient(endpoints.ingestUrl(), stack.token(job.tenant())), job)));
            }
            for (Future<Integer> f : sent) {
                f.get();
            }
        }
        out.printf(Locale.ROOT, "  accepted by ingest in %.1f s; jobs sealed. Waiting for batches to settle:%n",
                (System.nanoTime() - t0) / 1e9);
        out.flush();
        try (DatabaseSource database = source(endpoints)) {
            JobProgress.await(database, jobId, total, timeout, out);
            try (Connection c = DriverManager.getConnection(endpoints.jdbcUrl(), endpoints.jdbcUser(), "")) {
                printEndingLag(c, jobId, out);
            }
            return database.report(jobId);
        } catch (SQLException e) {
            throw new CliException("reading the report from " + endpoints.jdbcUrl() + " failed: " + e.getMessage());
        }
    }

    /** The local stack's database, reading every tenant's tasks of the demo's job. */
    public static DatabaseSource source(Endpoints endpoints) {
        return new DatabaseSource(endpoints.jdbcUrl(), endpoints.jdbcUser(), null, null, "local stack");
    }

    /**
     * How long tasks waited to end once their answer existed: from the later of the settlement of
     * their request's line and their own acceptance (a duplicate may arrive after its answer) to the
     * moment they ended.
     */
    private static void printEndingLag(Connection c, String jobId, PrintWriter out) throws SQLException {
        try (var ps = c.prepareStatement("""
                SELECT max(lag), count(*) FILTER (WHERE lag > 5), count(*) FROM (
                  SELECT extract(epoch FROM t.completed_at - greatest(r.settled_at, t.accepted_at)) AS lag
                    FROM tasks t
                    JOIN (SELECT request_id, max(settled_at) AS settled_at FROM results GROUP BY request_id) r
                      USING (request_id)
                   WHERE t.job_id = ? AND t.completed_at IS NOT NULL) ended""")) {
            ps.setString(1, jobId);
            try (var rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(3) > 0) {
                    out.printf(Locale.ROOT, "  slowest task ended %.1f s after its answer settled (%d of %,d over 5 s)%n",
                            Math.max(0, rs.getDouble(1)), rs.getLong(2), rs.getLong(3));
                }
            }
        }
    }

    private static int submit(IngestClient ingest, DemoWorkload.TenantJob job) {
        int accepted = 0;
        for (int from = 0; from < job.lines().size(); from += CHUNK) {
            List<String> chunk = job.lines().subList(from, Math.min(job.lines().size(), from + CHUNK));
            IngestClient.Upload upload = ingest.bulk(chunk, from + 1);
            if (upload.rejected() > 0) {
                throw new CliException("ingest rejected " + upload.rejected() + " demo tasks of " + job.tenant()
                        + ", first: " + upload.rejections().getFirst());
            }
            accepted += upload.accepted();
        }
        ingest.seal(job.jobId(), accepted);
        return accepted;
    }
}
