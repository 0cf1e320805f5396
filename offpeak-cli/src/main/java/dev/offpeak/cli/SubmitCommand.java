package dev.offpeak.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.cli.http.IngestClient;
import dev.offpeak.cli.local.Endpoints;
import dev.offpeak.cli.report.CostReport;
import dev.offpeak.cli.report.JobProgress;
import dev.offpeak.cli.report.JobScope;
import dev.offpeak.cli.report.ReportPrinter;
import dev.offpeak.schemas.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Sends a file of tasks to ingest as one job, seals it, and with --wait follows it to the end. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Send tasks to an ingest URL as one job and seal the job.",
                "FILE is JSON Lines: task.submitted objects, or an OpenAI batch input file ({custom_id, method, url, body}).",
                "URL and token default to the endpoints.json of a running `offpeak local`."})
public final class SubmitCommand implements Callable<Integer> {
    static final int CHUNK = 2_000;
    private static final int SHOWN_REJECTIONS = 10;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "JSONL file of tasks or an OpenAI batch input file")
    Path file;

    @Option(names = "--job", required = true, description = "Job id of these tasks (sealed when all are sent).")
    String job;

    @Option(names = "--wait", description = "Show a progress bar until every task of the job has settled, then its cost report.")
    boolean waitForJob;

    @Option(names = "--url", description = "Ingest base URL (default: from <data-dir>/endpoints.json).")
    String url;

    @Option(names = "--token", description = "Bearer token (default: the local tenant's, from endpoints.json).")
    String token;

    @Option(names = "--data-dir", defaultValue = ".offpeak", description = "Where endpoints.json is (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--timeout", defaultValue = "30m", converter = DurationConverter.class,
            description = "With --wait: give up after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<String> lines = RequestIdCommand.read(file).lines().toList();
        Endpoints local = url == null || token == null || waitForJob ? Endpoints.read(dataDir) : null;
        String ingestUrl = url != null ? url : local.ingestUrl();
        boolean localToken = token == null;
        IngestClient ingest = new IngestClient(ingestUrl, localToken ? local.token() : token);
        boolean openAi = isOpenAiBatchFile(lines);
        out.printf(Locale.ROOT, "Submitting %s (%s) to %s as job %s%n", file, openAi ? "OpenAI batch input file"
                : "task.submitted lines", ingestUrl, job);
        out.flush();

        int accepted = 0;
        List<String> rejections = new ArrayList<>();
        for (int from = 0; from < lines.size(); from += CHUNK) {
            List<String> chunk = lines.subList(from, Math.min(lines.size(), from + CHUNK));
            IngestClient.Upload upload = openAi ? ingest.openAiBatch(job, chunk, from + 1)
                    : ingest.bulk(withJob(chunk, from + 1), from + 1);
            accepted += upload.accepted();
            rejections.addAll(upload.rejections());
        }
        if (accepted > 0) {
            ingest.seal(job, accepted);
        }
        out.printf(Locale.ROOT, "  %,d accepted, %,d rejected; job %s sealed%n", accepted, rejections.size(), job);
        rejections.stream().limit(SHOWN_REJECTIONS).forEach(r -> out.println("  " + file + ": " + r));
        if (rejections.size() > SHOWN_REJECTIONS) {
            out.println("  ... and " + (rejections.size() - SHOWN_REJECTIONS) + " more rejected lines");
        }
        out.flush();
        if (waitForJob && accepted > 0) {
            JobProgress progress = new JobProgress(local.jdbcUrl(), local.jdbcUser());
            JobScope scope = new JobScope(job, localToken ? local.tenant() : null);
            progress.await(scope, accepted, timeout, out);
            try (Connection c = progress.connect()) {
                ReportPrinter.print(CostReport.load(c, scope), out);
            }
        }
        if (!rejections.isEmpty()) {
            throw new CliException(rejections.size() + " line(s) of " + file + " were rejected (listed above)");
        }
        return 0;
    }

    /** An OpenAI batch input file's lines carry custom_id and body; task lines never do. */
    static boolean isOpenAiBatchFile(List<String> lines) {
        for (String line : lines) {
            if (!line.isBlank()) {
                return line.contains("\"custom_id\"") && line.contains("\"body\"");
            }
        }
        return false;
    }

    /** Puts the job id on every task line; a line naming another job is an error, with its line number. */
    private List<String> withJob(List<String> lines, int firstLine) {
        List<String> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode tree;
            try {
                tree = Json.mapper().readTree(line);
            } catch (JacksonException e) {
                throw new CliException(file + ":" + (firstLine + i) + ": malformed JSON: " + e.getOriginalMessage());
            }
            if (!(tree instanceof ObjectNode task)) {
                throw new CliException(file + ":" + (firstLine + i) + ": expected a task.submitted JSON object");
            }
            JsonNode existing = task.get("job_id");
            if (existing != null && !existing.asText().equals(job)) {
                throw new CliException(file + ":" + (firstLine + i) + ": job_id is " + existing + ", not --job " + job);
            }
            task.put("job_id", job);
            out.add(Json.write(task));
        }
        return out;
    }
}
