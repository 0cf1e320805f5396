package dev.offpeak.result.submit;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.result.store.BatchStore;
import dev.offpeak.result.store.FollowUpBatches;
import dev.offpeak.result.store.ModeDecider;
import dev.offpeak.config.NamedEntries;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.Mode;
import dev.offpeak.schemas.pricing.ModelInfo;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.PriceEntry;
import dev.offpeak.schemas.pricing.RequestedMode;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Decides, once per new pipeline batch and before its intent is recorded, the mode its lines run in.
 *
 * <p>Each line asks for a mode: its first task's {@code mode} field, else the first entry of
 * {@code OFFPEAK_RESULT_LANE_MODES} that matches, in this order: {@code tenant:provider/model},
 * {@code tenant:*}, {@code provider/model}, {@code *}; else batch. A flex request for a model without
 * a flex tier in the registry runs in batch. When the lines of a batch ask for different modes, the
 * mode most of them ask for stays in the batch and each other mode's lines move to a follow-up batch
 * of their own ({@code close_reason} {@code mode_split}, decided the same way in its turn); the moved
 * lines are marked in the first batch as held lines are, so nothing is sent twice.
 *
 * <p>{@code auto} picks the cheapest of batch, flex (where the model has a flex tier) and sync that
 * is expected to finish before the earliest {@code not_after} of the batch's tasks; the fastest when
 * none is. Ties go to batch, then flex. Expected cost: the registry's price row in force, for the
 * batch's estimated input tokens, with the prompt cache expected where lines share a prefix of at
 * least the model's minimum (every line of a prefix but the first reads it), and
 * {@value #ASSUMED_OUTPUT_TOKENS} output tokens per line (an assumption; output bills at the same
 * multiple of list in batch and flex, so it rarely decides). Expected turnaround, from this
 * deployment's own history of the provider and model in that mode: batch, the 95th percentile of the
 * last {@value #HISTORY} settled batches (submission to settlement); flex and sync, the 95th
 * percentile of the last {@value #CALL_HISTORY} calls (first attempt to answer, retries included)
 * times the rounds the runner's concurrency needs for the batch's lines and those of the provider's
 * flex / sync batches already waiting, and no less than the model's configured rate limit lets those
 * lines through in ({@link #withSyncRateLimits}). Until there are {@value #MIN_SAMPLES} samples,
 * conservative defaults: the providers' 24-hour batch window, {@link #FLEX_PER_LINE} and
 * {@link #SYNC_PER_LINE} per line.
 */
public final class ModeChooser implements ModeDecider {
    static final int ASSUMED_OUTPUT_TOKENS = 40;
    static final int HISTORY = 50;
    static final int CALL_HISTORY = 500;
    static final int MIN_SAMPLES = 5;
    static final Duration BATCH_DEFAULT = Duration.ofHours(24);
    static final Duration FLEX_PER_LINE = Duration.ofMinutes(2);
    static final Duration SYNC_PER_LINE = Duration.ofSeconds(10);

    /** In {@code OFFPEAK_RESULT_LANE_MODES}: the mode of every lane not named (alone or after {@code tenant:}). */
    public static final String EVERY_LANE = "*";

    private final ModelRegistry registry;
    private final Map<String, RequestedMode> lanes;
    private final int concurrency;
    private Map<String, SyncThrottle.Limit> rateLimits = Map.of();

    /**
     * @param lanes {@code [tenant:]provider/model} or {@code [tenant:]*} → mode ({@link #parse}); what
     *              no entry matches runs in batch unless its task asks otherwise
     */
    public ModeChooser(ModelRegistry registry, Map<String, RequestedMode> lanes, int concurrency) {
        this.registry = registry;
        this.lanes = Map.copyOf(lanes);
        this.concurrency = concurrency;
    }

    /**
     * The configured rate limits of synchronous calls ({@code OFFPEAK_RESULT_SYNC_RATE_LIMITS}): flex and sync
     * take at least as long as they allow for the lines.
     */
    public ModeChooser withSyncRateLimits(Map<String, SyncThrottle.Limit> limits) {
        this.rateLimits = Map.copyOf(limits);
        return this;
    }

    /** A line's mode and who asked for it, in words for the batch's {@code mode_reason} (null: nobody). */
    record Asked(RequestedMode mode, String by) {}

    /**
     * The mode a task of {@code tenant} that names none runs in by these lane modes (batch where no entry
     * matches), as a quote needs it.
     */
    public RequestedMode laneDefault(Provider provider, String model, String tenant) {
        return configured(provider, model, tenant).mode();
    }

    /** What a line of {@code tenant} on a provider and model asks for when its task names no mode. */
    Asked configured(Provider provider, String model, String tenant) {
        String lane = provider.id() + "/" + model;
        List<String> keys = tenant == null ? List.of(lane, EVERY_LANE)
                : List.of(tenant + ":" + lane, tenant + ":" + EVERY_LANE, lane, EVERY_LANE);
        for (String key : keys) {
            RequestedMode m = lanes.get(key);
            if (m != null) {
                return new Asked(m, "asked by lane modes " + key);
            }
        }
        return new Asked(RequestedMode.BATCH, null);
    }

    @Override
    public Optional<Choice> decide(Connection c, BatchRow batch, Instant now) throws SQLException {
        if (batch.mode() != Mode.BATCH || batch.submitAttempts() > 0) {
            return Optional.empty(); // a rescue, or a batch whose intent was recorded before: it keeps its mode
        }
        record Line(String requestId, String tenant, String asked) {}
        List<Line> lines = Db.query(c, """
                SELECT request_id, tenant, mode_requested FROM batch_items
                 WHERE batch_id = ? AND refused IS NULL ORDER BY seq""",
                rs -> new Line(rs.getString(1), rs.getString(2), rs.getString(3)), batch.batchId());
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        Map<RequestedMode, List<String>> ids = new EnumMap<>(RequestedMode.class);
        Map<RequestedMode, Set<String>> askedBy = new EnumMap<>(RequestedMode.class);
        for (Line line : lines) {
            Asked asked = line.asked() != null ? new Asked(RequestedMode.of(line.asked()), "asked by task")
                    : configured(batch.provider(), batch.model(), line.tenant());
            if (asked.mode() == RequestedMode.FLEX && !offersFlex(batch)) {
                asked = new Asked(RequestedMode.BATCH, (asked.by() == null ? "flex asked" : asked.by().replace("asked by ", "")
                        + " asked flex") + "; " + batch.model() + " has no flex tier in the model registry");
            }
            ids.computeIfAbsent(asked.mode(), k -> new ArrayList<>()).add(line.requestId());
            if (asked.by() != null) {
                askedBy.computeIfAbsent(asked.mode(), k -> new TreeSet<>()).add(asked.by());
            }
        }
        RequestedMode kept = ids.entrySet().stream()
                .max(Comparator.<Map.Entry<RequestedMode, List<String>>>comparingInt(e -> e.getValue().size())
                        .thenComparing(e -> -e.getKey().ordinal()))
                .orElseThrow().getKey();
        StringBuilder moved = new StringBuilder();
        for (Map.Entry<RequestedMode, List<String>> group : ids.entrySet()) {
            if (group.getKey() != kept) {
                String to = moveLines(c, batch, group.getKey(), group.getValue(), now);
                moved.append("; ").append(group.getValue().size()).append(" lines asking ")
                        .append(group.getKey().id()).append(" moved to ").append(to);
            }
        }
        Set<String> by = askedBy.getOrDefault(kept, Set.of());
        if (kept == RequestedMode.BATCH && by.isEmpty() && moved.isEmpty()) {
            return Optional.empty(); // nobody asked anything: batch, as always
        }
        String asked = by.isEmpty() ? "default" : String.join(", ", by);
        if (kept != RequestedMode.AUTO) {
            return Optional.of(new Choice(kept.fixed().orElseThrow(), kept.id() + " (" + asked + ")" + moved));
        }
        return Optional.of(auto(c, batch, ids.get(kept).size(), now, "auto (" + asked + "):", moved.toString()));
    }

    /**
     * Moves {@code requestIds} out of {@code batch} into a follow-up batch of their own (ready now, in
     * batch mode until its own turn decides it): marked in {@code batch} as lines it does not send.
     */
    private static String moveLines(Connection c, BatchRow batch, RequestedMode mode, List<String> requestIds,
            Instant now) throws SQLException {
        String to = FollowUpBatches.id(batch.batchId() + ":mode:" + mode.id(), "-" + mode.id());
        Map<String, String> reasons = new LinkedHashMap<>();
        requestIds.forEach(id -> reasons.put(id, "moved to batch " + to + " (asks " + mode.id() + ")"));
        FollowUpBatches.keepBack(c, batch.batchId(), reasons);
        FollowUpBatches.create(c, to, batch.batchId(), requestIds, MODE_SPLIT, null, now, now);
        return to;
    }

    /** The close reason of a batch split off for its lines' mode. */
    public static final String MODE_SPLIT = "mode_split";

    /** The cheapest mode expected to be in time for {@code lines} lines of {@code batch}, the fastest when none is. */
    private Choice auto(Connection c, BatchRow batch, long lines, Instant now, String why0, String moved)
            throws SQLException {
        Optional<PriceEntry> price = registry.priceAt(batch.provider(), batch.model(), now);
        if (price.isEmpty()) {
            return new Choice(Mode.BATCH, why0 + " no price row, batch" + moved);
        }
        Usage expected = expectedUsage(c, batch, lines);
        Optional<Instant> deadline = BatchStore.earliestOpenDeadline(c, batch.batchId());
        List<Mode> candidates = new ArrayList<>(List.of(Mode.BATCH));
        if (offersFlex(batch)) {
            candidates.add(Mode.FLEX);
        }
        candidates.add(Mode.SYNC);
        List<Option> options = new ArrayList<>();
        StringBuilder why = new StringBuilder(why0);
        Queue queue = queue(c, batch, lines, expected.inputTokens() + expected.cachedInputTokens());
        for (Mode m : candidates) {
            BigDecimal cost = Cost.of(expected, price.get(), m).batchUsd();
            Turnaround takes = turnaround(c, batch, m, queue);
            options.add(new Option(m, cost, takes.expected()));
            why.append(' ').append(m.id()).append(" $").append(cost.stripTrailingZeros().toPlainString())
                    .append(" ~").append(takes).append(inTime(takes.expected(), now, deadline) ? "" : " (late)")
                    .append(';');
        }
        Pick pick = cheapestInTime(options, now, deadline);
        Mode chosen = pick.option().mode();
        why.append(" chose ").append(chosen.id()).append(pick.inTime() ? " (cheapest in time)" : " (fastest: none in time)")
                .append(moved);
        return new Choice(chosen, why.toString());
    }

    /** A mode auto may choose, with its expected cost and turnaround. */
    public record Option(Mode mode, BigDecimal cost, Duration takes) {}

    /** What auto chose, and whether it is expected to finish by the deadline. */
    public record Pick(Option option, boolean inTime) {}

    /**
     * Auto's rule, for a batch here and for a quote: the cheapest option expected to finish by the
     * deadline (none: every option is in time; ties go to the earlier option), else the fastest.
     */
    public static Pick cheapestInTime(List<Option> options, Instant now, Optional<Instant> deadline) {
        Option best = null;
        Option fastest = null;
        for (Option o : options) {
            if (inTime(o.takes(), now, deadline) && (best == null || o.cost().compareTo(best.cost()) < 0)) {
                best = o;
            }
            if (fastest == null || o.takes().compareTo(fastest.takes()) < 0) {
                fastest = o;
            }
        }
        return best != null ? new Pick(best, true) : new Pick(fastest, false);
    }

    private static boolean inTime(Duration takes, Instant now, Optional<Instant> deadline) {
        return deadline.isEmpty() || !now.plus(takes).isAfter(deadline.get());
    }

    private boolean offersFlex(BatchRow batch) {
        return registry.find(batch.provider(), batch.model()).map(ModelInfo::offersFlex).orElse(false);
    }

    /** Estimated input, the prompt cache expected where lines share a long enough prefix, assumed output. */
    private Usage expectedUsage(Connection c, BatchRow batch, long lines) throws SQLException {
        long minimum = registry.find(batch.provider(), batch.model()).map(ModelInfo::minCacheablePrefix)
                .map(m -> m.orElse(0)).orElse(0L);
        long[] totals = Db.queryOne(c, """
                SELECT coalesce(sum(r.estimated_tokens), 0),
                       coalesce(sum(CASE WHEN ? > 0 AND r.prefix_fingerprint IS NOT NULL AND r.prefix_fingerprint <> '-'
                                          AND r.prefix_tokens >= ? THEN r.prefix_tokens ELSE 0 END), 0),
                       count(DISTINCT r.prefix_fingerprint) FILTER (WHERE ? > 0 AND r.prefix_fingerprint <> '-'
                                                                     AND r.prefix_tokens >= ?)
                  FROM batch_items i JOIN requests r ON r.request_id = i.request_id
                 WHERE i.batch_id = ? AND i.refused IS NULL""",
                rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)},
                minimum, minimum, minimum, minimum, batch.batchId()).orElse(new long[3]);
        // every line of a shared prefix reads it from cache, except the first of each prefix, which writes it
        long cached = 0;
        if (totals[2] > 0) {
            long firsts = Db.queryOne(c, """
                    SELECT coalesce(sum(m), 0) FROM (
                        SELECT max(r.prefix_tokens) AS m FROM batch_items i JOIN requests r ON r.request_id = i.request_id
                         WHERE i.batch_id = ? AND i.refused IS NULL AND r.prefix_fingerprint <> '-' AND r.prefix_tokens >= ?
                         GROUP BY r.prefix_fingerprint) g""", rs -> rs.getLong(1), batch.batchId(), minimum).orElse(0L);
            cached = Math.max(0, totals[1] - firsts);
        }
        long input = Math.max(0, totals[0] - cached);
        return new Usage(input, cached, 0, 0, lines * ASSUMED_OUTPUT_TOKENS, 0);
    }

    /**
     * How long a batch of {@code lines} lines is expected to take in a mode: {@code expected} is the
     * 95th percentile from history (per batch, or per call times rounds), or the default without
     * enough history; {@code median} the 50th, when there is history.
     */
    record Turnaround(Duration expected, Duration median, int samples, String unit, String behind) {
        Turnaround(Duration expected, Duration median, int samples, String unit) {
            this(expected, median, samples, unit, "");
        }

        @Override
        public String toString() {
            return (median == null
                    ? human(expected) + " (default: " + samples + " " + unit + " of history)"
                    : human(expected) + " (p95; p50 " + human(median) + ", " + samples + " " + unit + ")") + behind;
        }

        static String human(Duration d) {
            return d.toHours() >= 2 ? d.toHours() + "h" : d.toMinutes() >= 2 ? d.toMinutes() + "m"
                    : Math.max(d.toSeconds(), d.isZero() ? 0 : 1) + "s";
        }
    }

    Turnaround turnaround(Connection c, BatchRow batch, Mode mode, Queue queue) throws SQLException {
        if (mode == Mode.BATCH) {
            List<Double> seconds = Db.query(c, """
                    SELECT extract(epoch FROM settled_at - submitted_at) FROM batches
                     WHERE provider = ? AND model = ? AND mode = 'batch' AND state = 'settled'
                       AND submitted_at IS NOT NULL AND settled_at IS NOT NULL AND provider_batch_id IS NOT NULL
                     ORDER BY settled_at DESC LIMIT ?""", rs -> rs.getDouble(1), batch.provider().id(),
                    batch.model(), HISTORY);
            if (seconds.size() < MIN_SAMPLES) {
                return new Turnaround(BATCH_DEFAULT, null, seconds.size(), "batches");
            }
            return new Turnaround(percentile(seconds, 0.95), percentile(seconds, 0.50), seconds.size(), "batches");
        }
        List<Double> perCall = Db.query(c, """
                SELECT s.latency_ms / 1000.0 FROM sync_calls s JOIN batches b ON b.batch_id = s.batch_id
                 WHERE b.provider = ? AND b.model = ? AND b.mode = ? AND s.latency_ms IS NOT NULL
                 ORDER BY s.called_at DESC LIMIT ?""", rs -> rs.getDouble(1), batch.provider().id(), batch.model(),
                mode.id(), CALL_HISTORY);
        SyncThrottle.Limit limit = SyncThrottle.limitOf(rateLimits, batch.provider(), batch.model());
        String behind = (queue.queuedLines() > 0 ? ", behind " + queue.queuedLines() + " queued lines" : "")
                + (limit != null && queue.rateFloor(limit).compareTo(Duration.ZERO) > 0
                        ? ", rate limit " + limit + " allows it in " + Turnaround.human(queue.rateFloor(limit)) : "");
        if (perCall.size() < MIN_SAMPLES) {
            return new Turnaround(queue.time(mode == Mode.FLEX ? FLEX_PER_LINE : SYNC_PER_LINE, concurrency, limit),
                    null, perCall.size(), "calls", behind);
        }
        return new Turnaround(queue.time(percentile(perCall, 0.95), concurrency, limit),
                queue.time(percentile(perCall, 0.50), concurrency, limit), perCall.size(), "calls", behind);
    }

    /**
     * {@code lines} lines ({@code tokens} estimated input tokens) of {@code batch} behind the provider's flex /
     * sync batches already waiting: they run first (one provider's batches run one after another), and the
     * lines of this model among them count against its rate limit too.
     */
    private static Queue queue(Connection c, BatchRow batch, long lines, long tokens) throws SQLException {
        long[] queued = Db.queryOne(c, """
                SELECT count(*), count(*) FILTER (WHERE b.model = ?),
                       coalesce(sum(r.estimated_tokens) FILTER (WHERE b.model = ?), 0)
                  FROM batches b JOIN batch_items i ON i.batch_id = b.batch_id JOIN requests r ON r.request_id = i.request_id
                 WHERE b.provider = ? AND b.mode IN ('flex', 'sync') AND b.state = 'submitting' AND b.batch_id <> ?
                   AND i.refused IS NULL
                   AND NOT EXISTS (SELECT 1 FROM sync_calls s WHERE s.batch_id = i.batch_id AND s.request_id = i.request_id)""",
                rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, batch.model(), batch.model(),
                batch.provider().id(), batch.batchId()).orElse(new long[3]);
        return new Queue(lines, queued[0], lines + queued[1], tokens + queued[2]);
    }

    /**
     * A flex / sync batch's lines behind what is queued: {@code lines} of its own, {@code queuedLines} of the
     * provider's waiting flex / sync batches, {@code modelLines} and {@code modelTokens} (estimated input) of
     * its model, queued ones included, for the model's rate limit.
     */
    record Queue(long lines, long queuedLines, long modelLines, long modelTokens) {
        /** Rounds of {@code concurrency} calls of {@code perCall} each, and no less than the rate limit allows. */
        Duration time(Duration perCall, int concurrency, SyncThrottle.Limit limit) {
            long total = lines + queuedLines;
            Duration calls = perCall.multipliedBy(Math.max(1, (total + concurrency - 1) / concurrency));
            Duration floor = limit == null ? Duration.ZERO : rateFloor(limit);
            return calls.compareTo(floor) >= 0 ? calls : floor;
        }

        /** The least time the rate limit lets the model's lines (queued ones included) through in. */
        Duration rateFloor(SyncThrottle.Limit limit) {
            Duration byRequests = limit.requestsPerMinute() == 0 ? Duration.ZERO
                    : Duration.ofMillis(Math.ceilDiv(modelLines * 60_000, limit.requestsPerMinute()));
            Duration byTokens = limit.tokensPerMinute() == 0 ? Duration.ZERO
                    : Duration.ofMillis(Math.ceilDiv(Math.multiplyExact(modelTokens, 60_000L), limit.tokensPerMinute()));
            return byRequests.compareTo(byTokens) >= 0 ? byRequests : byTokens;
        }
    }

    /** The nearest-rank percentile {@code p} of {@code seconds}, as a duration. */
    private static Duration percentile(List<Double> seconds, double p) {
        List<Double> sorted = seconds.stream().sorted().toList();
        double s = sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
        return Duration.ofMillis((long) (s * 1000));
    }

    private static final Pattern KEY = Pattern.compile(
            "(?:(?<tenant>[a-z0-9][a-z0-9_-]{0,62}):)?(?<lane>\\*|[a-z]+/[^\\s=,]+)");

    /**
     * Parses {@code [tenant:]provider/model=mode,...} ({@code [tenant:]*=mode} for every lane not
     * named); an entry it cannot read is an IllegalArgumentException naming it.
     */
    public static Map<String, RequestedMode> parse(String text) {
        return NamedEntries.parse(text, KEY, "[tenant:]provider/model=mode or [tenant:]*=mode", v -> {
            try {
                return RequestedMode.of(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mode must be batch, flex, sync or auto");
            }
        });
    }
}
