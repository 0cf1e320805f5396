package dev.offpeak.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.cli.http.IngestClient;
import dev.offpeak.cli.http.IngestClient.Line;
import dev.offpeak.cli.http.Retry;
import dev.offpeak.cli.local.Endpoints;
import dev.offpeak.cli.report.JobProgress;
import dev.offpeak.cli.report.ReportPrinter;
import dev.offpeak.cli.source.DatabaseSource;
import dev.offpeak.cli.source.ReadApiSource;
import dev.offpeak.cli.source.ReadSource;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.RequestedMode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Sends a file of tasks to ingest as one job, seals it, and with --wait follows it to the end: on
 * the local stack through its database, on a deployment through result-service's read API.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Send tasks to an ingest URL as one job and seal the job.",
                "FILE is JSON Lines: task.submitted objects, or an OpenAI batch input file ({custom_id, method, url, body}).",
                "Without --url (or $OFFPEAK_URL) it sends to a running `offpeak local` (endpoints.json).",
                "Lines ingest did not acknowledge (a dropped connection, Kafka briefly away) are sent again; task_id "
                        + "makes that safe."})
public final class SubmitCommand implements Callable<Integer> {
    static final int CHUNK = 2_000;
    private static final int SHOWN_REJECTIONS = 10;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "JSONL file of tasks or an OpenAI batch input file")
    Path file;

    @Option(names = "--job", required = true, description = "Job id of these tasks (sealed when all are sent).")
    String job;

    @Option(names = "--mode", paramLabel = "MODE", converter = ModeConverter.class,
            description = "Mode every task asks for: batch, flex, sync or auto (a task.submitted line's own mode wins);"
                    + " default: none (the tenant's or lane's default in result-service, else batch).")
    RequestedMode mode;

    @Option(names = "--wait", description = "Show a progress bar until every task of the job has settled, then its cost report.")
    boolean waitForJob;

    @Option(names = "--url", paramLabel = "URL",
            description = "A deployment's ingest URL; default: $" + DeploymentEnv.URL + ", else the local stack's.")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Bearer token (decides the tenant); default: $" + DeploymentEnv.TOKEN
                    + ", else the local tenant's. Never printed.")
    String token;

    @Option(names = "--read-url", paramLabel = "URL",
            description = "With --wait on a deployment: its result-service URL, whose read API gives the progress and "
                    + "the report; default: $" + DeploymentEnv.READ_URL + ".")
    String readUrl;

    @Option(names = "--data-dir", defaultValue = ".offpeak", description = "Where endpoints.json is (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--timeout", defaultValue = "30m", converter = DurationConverter.class,
            description = "With --wait: give up after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--retries", defaultValue = "5",
            description = "Times to send again what ingest did not acknowledge, waiting 0.5 s doubling to 8 s "
                    + "(default: ${DEFAULT-VALUE}).")
    int retries;

    /** Where to send, with what token, and where --wait reads (resolved before any line is sent). */
    private record Target(String ingestUrl, String token, Optional<ReadSource> waitSource) {}

    @Override
    public Integer call() throws Exception {
        if (retries < 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value " + retries + " for --retries: must be >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Line> lines = lines();
        Target target = target();
        IngestClient ingest = new IngestClient(target.ingestUrl(), target.token(), Retry.of(retries), note -> {
            out.println("  " + note);
            out.flush();
        });
        boolean openAi = isOpenAiBatchFile(lines);
        out.printf(Locale.ROOT, "Submitting %s (%s, %s) to %s as job %s%n", file, openAi ? "OpenAI batch input file"
                : "task.submitted lines", IngestClient.count(lines.size()), ingest.baseUrl(), job);
        out.flush();

        Set<String> accepted = new LinkedHashSet<>();
        List<String> rejections = new ArrayList<>();
        Map<String, Integer> resent = new LinkedHashMap<>();
        for (int from = 0; from < lines.size(); from += CHUNK) {
            List<Line> chunk = lines.subList(from, Math.min(lines.size(), from + CHUNK));
            IngestClient.Upload upload = openAi ? ingest.openAiBatch(job, mode, chunk) : ingest.bulk(withJob(chunk));
            accepted.addAll(upload.acceptedTaskIds());
            rejections.addAll(upload.rejections());
            upload.resends().forEach(r -> resent.merge(r.cause(), r.lines(), Integer::sum));
        }
        if (!accepted.isEmpty()) {
            ingest.seal(job, accepted.size());
        }
        out.printf(Locale.ROOT, "  %,d accepted, %,d rejected; job %s sealed%n", accepted.size(), rejections.size(), job);
        resent.forEach((cause, n) -> out.printf(Locale.ROOT,
                "  resent %s after %s; each task counted once (task_id)%n", IngestClient.count(n), cause));
        rejections.stream().limit(SHOWN_REJECTIONS).forEach(r -> out.println("  " + file + ": " + r));
        if (rejections.size() > SHOWN_REJECTIONS) {
            out.println("  ... and " + (rejections.size() - SHOWN_REJECTIONS) + " more rejected lines");
        }
        out.flush();
        if (target.waitSource().isPresent()) {
            try (ReadSource source = target.waitSource().get()) {
                if (!accepted.isEmpty()) {
                    JobProgress.await(source, job, accepted.size(), timeout, out);
                    ReportPrinter.print(source.report(job), source.describe(), out);
                }
            }
        }
        if (!rejections.isEmpty()) {
            throw new CliException(rejections.size() + " line(s) of " + file + " were rejected (listed above)");
        }
        return 0;
    }

    /**
     * A deployment when --url (or $OFFPEAK_URL) names one, else the local stack. The local token and
     * database are used only for the local stack's own ingest URL; a deployment needs its token, and
     * for --wait its read API.
     */
    private Target target() {
        String deployment = DeploymentEnv.option(url, DeploymentEnv.URL);
        String bearer = DeploymentEnv.option(token, DeploymentEnv.TOKEN);
        Optional<Endpoints> local = deployment == null ? Optional.of(Endpoints.read(dataDir)) : localStack()
                .filter(e -> sameUrl(e.ingestUrl(), deployment));
        String ingestUrl = deployment != null ? deployment : local.get().ingestUrl();
        boolean localToken = bearer == null;
        if (localToken && local.isEmpty()) {
            throw usage("a deployment's ingest needs its token: --token or $" + DeploymentEnv.TOKEN);
        }
        String bearerToken = localToken ? local.get().token() : bearer;
        if (!waitForJob) {
            return new Target(ingestUrl, bearerToken, Optional.empty());
        }
        // the environment's read API belongs with the environment's deployment, not with the local stack
        String readApi = readUrl != null ? readUrl : deployment != null ? DeploymentEnv.get(DeploymentEnv.READ_URL).orElse(null)
                : null;
        if (readApi != null) {
            return new Target(ingestUrl, bearerToken, Optional.of(new ReadApiSource(readApi, bearerToken, Retry.READS)));
        }
        if (local.isEmpty()) {
            throw usage("--wait on a deployment follows the job through its read API: give --read-url (or $"
                    + DeploymentEnv.READ_URL + ")");
        }
        Endpoints stack = local.get();
        return new Target(ingestUrl, bearerToken, Optional.of(new DatabaseSource(stack.jdbcUrl(), stack.jdbcUser(), null,
                localToken ? stack.tenant() : null, "local stack")));
    }

    private Optional<Endpoints> localStack() {
        return Files.exists(dataDir.resolve(Endpoints.FILE)) ? Optional.of(Endpoints.read(dataDir)) : Optional.empty();
    }

    private static boolean sameUrl(String a, String b) {
        return a != null && a.replaceAll("/+$", "").equals(b.replaceAll("/+$", ""));
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The file's non-blank lines with their line numbers. */
    private List<Line> lines() {
        List<String> all = RequestIdCommand.read(file).lines().toList();
        return IntStream.range(0, all.size()).filter(i -> !all.get(i).isBlank())
                .mapToObj(i -> new Line(i + 1, all.get(i))).toList();
    }

    /** An OpenAI batch input file's lines carry custom_id and body; task lines never do. */
    static boolean isOpenAiBatchFile(List<Line> lines) {
        return !lines.isEmpty() && lines.getFirst().text().contains("\"custom_id\"")
                && lines.getFirst().text().contains("\"body\"");
    }

    /** Puts the job id on every task line; a line naming another job is an error, with its line number. */
    private List<Line> withJob(List<Line> lines) {
        List<Line> out = new ArrayList<>(lines.size());
        for (Line line : lines) {
            JsonNode tree;
            try {
                tree = Json.mapper().readTree(line.text());
            } catch (JacksonException e) {
                throw new CliException(file + ":" + line.number() + ": malformed JSON: " + e.getOriginalMessage());
            }
            if (!(tree instanceof ObjectNode task)) {
                throw new CliException(file + ":" + line.number() + ": expected a task.submitted JSON object");
            }
            JsonNode existing = task.get("job_id");
            if (existing != null && !existing.asText().equals(job)) {
                throw new CliException(file + ":" + line.number() + ": job_id is " + existing + ", not --job " + job);
            }
            task.put("job_id", job);
            if (mode != null && !task.has("mode")) {
                task.put("mode", mode.id());
            }
            out.add(new Line(line.number(), Json.write(task)));
        }
        return out;
    }

    /** {@code --mode}: a mode's id, any case; anything else is a usage error naming the modes. */
    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<RequestedMode> {
        @Override
        public RequestedMode convert(String value) {
            try {
                return RequestedMode.of(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
