package dev.offpeak.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.cli.demo.DemoWorkload;
import dev.offpeak.cli.quote.Quote;
import dev.offpeak.cli.quote.Quote.Figures;
import dev.offpeak.cli.quote.Quote.ModelQuote;
import dev.offpeak.cli.quote.Quote.Output;
import dev.offpeak.config.Durations;
import dev.offpeak.result.config.ResultConfig;
import dev.offpeak.result.submit.ModeChooser;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.Mode;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.RegistryException;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.TaskValidator;
import dev.offpeak.schemas.validation.TokenEstimator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code offpeak quote}: what a workload would cost in each mode, and whether each mode would meet a
 * deadline, before anything is sent. Reads NDJSON task.submitted lines (what ingest's bulk endpoint
 * takes) or the demo workload; every figure is an estimate (see {@link #ESTIMATE_ERROR}).
 */
@Command(name = "quote", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Estimate what a workload costs before anything is sent: per provider and model and in total, "
                + "tasks, unique requests (dedup by request identity) and the price per mode: list (every task at "
                + "synchronous list rates, no cache, duplicates included), batch (unique requests at batch rates with "
                + "the expected prompt cache), flex (OpenAI service_tier flex, where the model offers it) and sync "
                + "(unique requests at synchronous rates with the expected cache).",
                "FILE holds task.submitted JSON lines, as POST /v1/tasks:bulk takes them; --demo quotes the demo "
                        + "workload instead. Invalid lines are refused (exit 2) with their line number and field.",
                "Every figure is an ESTIMATE: input tokens are estimated (OpenAI: the model's tokenizer; Anthropic "
                        + "and Gemini: UTF-8 bytes / 4), output tokens are assumed (--output-tokens), cache hits are "
                        + "best-effort at the providers. The bounds printed below the table show the output range."})
public final class QuoteCommand implements Callable<Integer> {
    /** Output tokens assumed per line when --output-tokens is not given: an assumption, not a measurement. */
    public static final long DEFAULT_OUTPUT_TOKENS = 40;
    /** The providers' batch completion window, taken as the batch lane's p95 (OpenAI, Anthropic: 24 h). */
    static final Duration BATCH_P95 = Duration.ofHours(24);
    /** A conservative flex latency per line (OpenAI advises a 15-minute client timeout for flex). */
    static final Duration FLEX_PER_LINE = Duration.ofMinutes(2);
    /** A conservative synchronous latency per line. */
    static final Duration SYNC_PER_LINE = Duration.ofSeconds(10);
    static final int DEFAULT_CONCURRENCY = 16;

    static final String ESTIMATE_ERROR = """
            Estimate error: the settled bill can differ from these figures.
              - input tokens: OpenAI counts use the model's tokenizer over the text values plus 3 tokens of framing
                per value (typically within ~10%); Anthropic and Gemini counts are UTF-8 bytes / 4 (their tokenizers
                are not public), often 10-30% off either way, more for code and non-Latin text;
              - output tokens are an ASSUMPTION (--output-tokens): the real output is anywhere between 0 and each
                line's cap, and usually dominates the error; the bounds line above brackets it;
              - cache hits are best-effort at every provider: with no hit at all the batch costs the no-cache figure
                above; an Anthropic breakpoint needs the lines of a prefix in one batch within its TTL;
              - dedup is counted within this workload only (answers of earlier jobs or other tenants can remove more);
              - prices are the registry rows in force now; a price change before the work settles changes the bill.""";

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "0..1", description = "task.submitted JSON lines (NDJSON); not with --demo.")
    Path file;

    @Option(names = "--demo", description = "Quote the demo workload (offpeak demo's tasks) instead of a file.")
    boolean demo;

    @Option(names = "--size", defaultValue = "20000", description = "Demo tasks (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "7", description = "Demo seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output-tokens", paramLabel = "N",
            description = "Output tokens assumed per line, at most the line's cap (default: " + DEFAULT_OUTPUT_TOKENS
                    + ", an assumption).")
    Long outputTokens;

    @Option(names = "--deadline", paramLabel = "WHEN",
            description = "An ISO instant (2026-12-08T06:00:00Z) or a duration from now (" + Durations.GRAMMAR
                    + "): says whether each mode is expected to finish in time.")
    String deadline;

    @Option(names = "--concurrency", defaultValue = "" + DEFAULT_CONCURRENCY,
            description = "Parallel requests assumed for the flex and sync lanes (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--lane-modes", paramLabel = "SPEC",
            description = "result-service's lane modes ([tenant:]provider/model=mode or [tenant:]*=mode, comma-separated; "
                    + "default: the " + ResultConfig.LANE_MODES + " environment variable): lines asking no mode run in "
                    + "their tenant's or lane's. Without either, such lines are taken as auto.")
    String laneModes;

    @Option(names = "--tenant", defaultValue = "quote",
            description = "Tenant for lines that leave it out (the dedup scope; default: ${DEFAULT-VALUE}).")
    String tenant;

    InstantSource clock = InstantSource.system();
    private String laneNote = "";

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        if (demo == (file != null)) {
            err.println(name + ": give either FILE or --demo");
            return 2;
        }
        if (outputTokens != null && outputTokens < 0 || concurrency < 1 || demo && size < 1) {
            err.println(name + ": --output-tokens must be >= 0, --concurrency and --size >= 1");
            return 2;
        }
        Instant now = clock.instant();
        Optional<Instant> due;
        try {
            due = Optional.ofNullable(deadline).map(d -> parseDeadline(d, now));
        } catch (IllegalArgumentException e) {
            err.println(name + ": --deadline: " + e.getMessage());
            return 2;
        }
        String laneText = laneModes != null ? laneModes : System.getenv(ResultConfig.LANE_MODES);
        Map<String, RequestedMode> laneMap = null;
        if (laneText != null && !laneText.isBlank()) {
            try {
                laneMap = ModeChooser.parse(laneText);
            } catch (IllegalArgumentException e) {
                err.println(name + ": " + (laneModes != null ? "--lane-modes" : ResultConfig.LANE_MODES) + ": "
                        + e.getMessage());
                return 2;
            }
        }
        ModelRegistry registry;
        try {
            registry = ModelRegistry.load(Optional.ofNullable(System.getenv(ModelRegistry.OVERRIDE_FILE_KEY))
                    .filter(s -> !s.isBlank()).map(Path::of));
        } catch (RegistryException e) {
            err.println(name + ": " + ModelRegistry.OVERRIDE_FILE_KEY + ": " + String.join("; ", e.problems()));
            return 2;
        }
        TokenEstimator tokens = new TokenEstimator();
        List<TaskSubmitted> tasks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try {
            read(new TaskValidator(registry, tokens), tasks, problems);
        } catch (CliException e) {
            err.println(name + ": " + e.getMessage());
            return 2;
        }
        if (!problems.isEmpty()) {
            err.println(name + ": " + problems.size() + " invalid line" + (problems.size() == 1 ? "" : "s")
                    + ", nothing quoted:");
            problems.stream().limit(20).forEach(p -> err.println("  " + p));
            if (problems.size() > 20) {
                err.println("  ... and " + (problems.size() - 20) + " more");
            }
            return 2;
        }
        if (tasks.isEmpty()) {
            err.println(name + ": no tasks in " + file);
            return 2;
        }
        long assumed = outputTokens == null ? DEFAULT_OUTPUT_TOKENS : outputTokens;
        ModeChooser chooser = laneMap == null ? null : new ModeChooser(registry, laneMap, concurrency);
        Quote.Result result = new Quote(registry, tokens).quote(tasks, assumed, now, chooser == null ? TaskSubmitted::mode
                : t -> t.mode() != null ? t.mode() : chooser.laneDefault(t.provider(), t.model(), t.tenant()));
        laneNote = chooser == null ? "lines asking none are taken as auto (no --lane-modes)"
                : "lines asking none run in their tenant's or lane's mode (lane modes " + laneText.strip() + ")";
        print(result, out, demo ? "demo workload (--size " + size + " --seed " + seed + ")" : file.toString(), now, due);
        due.ifPresent(d -> printDeadline(result, now, d, out));
        out.println();
        out.println(ESTIMATE_ERROR);
        out.flush();
        return 0;
    }

    /** Validated tasks, in order; every invalid line becomes one problem naming its number and fields. */
    private void read(TaskValidator validator, List<TaskSubmitted> tasks, List<String> problems) {
        if (demo) {
            int n = 0;
            for (DemoWorkload.TenantJob job : new DemoWorkload(size, 0.18, seed, "quote").jobs()) {
                for (String line : job.lines()) {
                    accept(++n, line, job.tenant(), validator, tasks, problems);
                }
            }
            return;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int n = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                n++;
                if (!line.isBlank()) {
                    accept(n, line, tenant, validator, tasks, problems);
                }
            }
        } catch (NoSuchFileException e) {
            throw new CliException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void accept(int n, String line, String tenant, TaskValidator validator, List<TaskSubmitted> tasks,
            List<String> problems) {
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(line);
        } catch (JacksonException e) {
            problems.add("line " + n + ": $: malformed JSON: " + e.getOriginalMessage());
            return;
        }
        if (!(tree instanceof ObjectNode task)) {
            problems.add("line " + n + ": $: must be a task.submitted JSON object");
            return;
        }
        // what ingest fills in for a producer, so a file written for the bulk endpoint works as is
        task.putIfAbsent("type", Json.mapper().getNodeFactory().textNode(TaskSubmitted.TYPE));
        task.putIfAbsent("schema_version", Json.mapper().getNodeFactory().numberNode(1));
        task.putIfAbsent("tenant", Json.mapper().getNodeFactory().textNode(tenant));
        List<Problem> found;
        try {
            found = validator.validate(task);
        } catch (RuntimeException e) {
            found = List.of(new Problem(Problem.ROOT, "cannot be validated (" + e.getClass().getSimpleName() + ")"));
        }
        if (!found.isEmpty()) {
            problems.add("line " + n + ": " + String.join("; ", found.stream().map(Problem::toString).toList()));
            return;
        }
        tasks.add(EventSerde.of(TaskSubmitted.class).convert(task));
    }

    static Instant parseDeadline(String text, Instant now) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Durations.parse(text).map(now::plus).orElseThrow(() -> new IllegalArgumentException(
                    "must be an ISO instant such as 2026-12-08T06:00:00Z or " + Durations.GRAMMAR + ", was '" + text + "'"));
        }
    }

    /**
     * What {@code auto} would run a model's lines in, as result-service's ModeChooser decides a batch:
     * the cheapest mode expected to finish by the deadline (no deadline: the cheapest; ties go to batch,
     * then flex), else the fastest; turnarounds are this command's conservative defaults.
     */
    record AutoPick(String mode, BigDecimal usd, boolean inTime) {}

    AutoPick auto(Figures all, Instant now, Optional<Instant> due) {
        Figures f = all.autoLines();
        if (f == null) {
            return new AutoPick("as asked", all.askedUsd(), true);
        }
        AutoPick pick = autoOf(f, now, due);
        return all.askedUnique == 0 ? pick
                : new AutoPick(pick.mode() + " + asked", pick.usd().add(all.askedUsd()), pick.inTime());
    }

    /** The pick for lines that all leave the mode to auto (result-service's rule, {@link ModeChooser#cheapestInTime}). */
    private AutoPick autoOf(Figures f, Instant now, Optional<Instant> due) {
        List<ModeChooser.Option> options = new ArrayList<>();
        options.add(new ModeChooser.Option(Mode.BATCH, f.batch(Output.ASSUMED), BATCH_P95));
        if (f.flex(Output.ASSUMED) != null && f.flexForAll()) {
            options.add(new ModeChooser.Option(Mode.FLEX, f.flex(Output.ASSUMED),
                    FLEX_PER_LINE.multipliedBy(waves(f.flexUnique))));
        }
        options.add(new ModeChooser.Option(Mode.SYNC, f.sync(Output.ASSUMED), SYNC_PER_LINE.multipliedBy(waves(f.unique))));
        ModeChooser.Pick pick = ModeChooser.cheapestInTime(options, now, due);
        return new AutoPick(pick.option().mode().id(), pick.option().cost(), pick.inTime());
    }

    private long waves(long lines) {
        return Math.max(1, (lines + concurrency - 1) / concurrency);
    }

    private void print(Quote.Result r, PrintWriter out, String what, Instant now, Optional<Instant> due) {
        out.println("Quote of " + what + " — ESTIMATES, nothing was sent (prices in force "
                + r.pricedAt().truncatedTo(ChronoUnit.SECONDS) + "; output assumed " + r.assumedOutputTokens()
                + " tokens per line, at most its cap)");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"provider", "model", "tasks", "unique", "prompt tok", "cached", "list", "batch", "flex", "sync",
                "auto"});
        BigDecimal autoTotal = BigDecimal.ZERO;
        for (ModelQuote m : r.models()) {
            AutoPick pick = auto(m.figures(), now, due);
            autoTotal = autoTotal.add(pick.usd());
            rows.add(row(m.provider().id(), m.model(), m.figures(), usd(pick.usd()) + " " + pick.mode()
                    + (pick.inTime() ? "" : " (late)")));
        }
        String[] total = row("all", "", r.total(), usd(autoTotal));
        if (r.total().flex(Output.ASSUMED) != null && !r.total().flexForAll()) {
            total[8] = total[8] + "*";
        }
        rows.add(total);
        table(rows, out);
        Figures t = r.total();
        if (t.flex(Output.ASSUMED) != null && !t.flexForAll()) {
            out.println("  * flex: only the " + t.flexUnique + " of " + t.unique
                    + " unique requests whose model has a flex tier (n/a: no flex tier in the model registry)");
        } else if (t.flex(Output.ASSUMED) == null) {
            out.println("  flex: no model of this workload has a flex tier in the model registry");
        }
        out.println("  list = every task at synchronous list rates, no cache; batch, flex, sync = unique requests, "
                + "expected cache; cached = prompt tokens expected from cache");
        out.println("  auto = the mode result-service's auto would choose per model: the cheapest expected "
                + (due.isPresent() ? "to finish by the deadline (late: none is; the fastest)" : "(no --deadline given)")
                + "; lines whose task asks batch, flex or sync are priced in that mode (\"+ asked\"); " + laneNote);
        if (r.models().stream().anyMatch(m -> syncBeatsBatch(m.figures()))) {
            out.println("  ! sync is expected to cost less than batch: the batch tier bills this model's cache hits "
                    + "as plain input (batch_cached_input: as_input)");
        }
        out.println("  bounds: with 0 output tokens  batch " + usd(t.batch(Output.ZERO)) + flexPart(t, Output.ZERO)
                + "  sync " + usd(t.sync(Output.ZERO)) + "  list " + usd(t.list(Output.ZERO)));
        out.println("          at every line's cap   batch " + usd(t.batch(Output.CAP)) + flexPart(t, Output.CAP)
                + "  sync " + usd(t.sync(Output.CAP)) + "  list " + usd(t.list(Output.CAP)));
        out.println("          batch if no cache hit " + usd(t.batchNoCache()));
        out.println("  dedup saves " + (t.tasks - t.unique) + " of " + t.tasks + " tasks; batch / list = "
                + ratio(t.batch(Output.ASSUMED), t.list(Output.ASSUMED)));
    }

    private static String flexPart(Figures t, Output o) {
        return t.flex(o) == null ? "" : "  flex " + usd(t.flex(o)) + (t.flexForAll() ? "" : "*");
    }

    private static String[] row(String provider, String model, Figures f, String auto) {
        return new String[] {provider, model, String.valueOf(f.tasks), String.valueOf(f.unique),
                String.format("%,d", f.promptTokens), percent(f.cachedTokens, f.promptTokens),
                usd(f.list(Output.ASSUMED)), usd(f.batch(Output.ASSUMED)),
                f.flex(Output.ASSUMED) == null ? "n/a" : usd(f.flex(Output.ASSUMED)),
                usd(f.sync(Output.ASSUMED)) + (syncBeatsBatch(f) ? " !" : ""), auto};
    }

    private static boolean syncBeatsBatch(Figures f) {
        return f.sync(Output.ASSUMED).compareTo(f.batch(Output.ASSUMED)) < 0;
    }

    private void printDeadline(Quote.Result r, Instant now, Instant due, PrintWriter out) {
        Figures total = r.total();
        out.println();
        out.println("Deadline " + due.truncatedTo(ChronoUnit.SECONDS) + " (in " + human(Duration.between(now, due))
                + "): conservative default turnarounds, not measured history (result-service's "
                + "analytics.batch_health is not consulted by this command)");
        long waves = (total.unique + concurrency - 1) / concurrency;
        check(out, "batch", BATCH_P95, "p95 = the providers' 24 h completion window (Gemini may run to 48 h "
                + "before it expires a job)", now, due);
        if (total.flexUnique > 0) {
            long flexWaves = (total.flexUnique + concurrency - 1) / concurrency;
            check(out, "flex", FLEX_PER_LINE.multipliedBy(flexWaves), FLEX_PER_LINE.toMinutes() + " min per line at "
                    + concurrency + " in parallel, " + total.flexUnique + " lines", now, due);
        } else {
            out.println("  flex   n/a: no model of this workload has a flex tier");
        }
        check(out, "sync", SYNC_PER_LINE.multipliedBy(waves), SYNC_PER_LINE.toSeconds() + " s per line at "
                + concurrency + " in parallel, " + total.unique + " lines", now, due);
        List<String> late = r.models().stream().filter(m -> !auto(m.figures(), now, Optional.of(due)).inTime())
                .map(ModelQuote::model).toList();
        out.println("  auto   " + (late.isEmpty() ? "in time: every model has a mode expected to finish by the deadline"
                : "TOO LATE for " + String.join(", ", late) + " (no mode expected in time; auto runs the fastest)")
                + " (per model, as auto decides each batch on its own)");
    }

    private static void check(PrintWriter out, String mode, Duration takes, String why, Instant now, Instant due) {
        boolean inTime = !now.plus(takes).isAfter(due);
        out.printf("  %-6s ~%-8s %-12s (%s)%n", mode, human(takes), inTime ? "in time" : "TOO LATE", why);
    }

    static String human(Duration d) {
        long s = Math.max(d.toSeconds(), 0);
        if (s >= 3600) {
            return s / 3600 + "h" + (s % 3600 >= 60 ? " " + s % 3600 / 60 + "m" : "");
        }
        return s >= 60 ? s / 60 + "m" : s + "s";
    }

    static String usd(BigDecimal v) {
        return "$" + v.setScale(6, RoundingMode.HALF_UP).toPlainString();
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "-" : BigDecimal.valueOf(part * 100.0 / whole).setScale(1, RoundingMode.HALF_UP) + "%";
    }

    private static String ratio(BigDecimal a, BigDecimal b) {
        return b.signum() == 0 ? "-" : a.divide(b, 2, RoundingMode.HALF_UP).toPlainString();
    }

    private static void table(List<String[]> rows, PrintWriter out) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder(" ");
            for (int i = 0; i < r.length; i++) {
                String pad = " ".repeat(width[i] - r[i].length());
                b.append(' ').append(i < 2 ? r[i] + pad : pad + r[i]).append(' ');
            }
            out.println(b.toString().stripTrailing());
        }
    }
}
