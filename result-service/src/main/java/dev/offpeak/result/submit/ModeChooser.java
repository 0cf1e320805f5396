package dev.offpeak.result.submit;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.result.store.BatchStore;
import dev.offpeak.result.store.ModeDecider;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.Mode;
import dev.offpeak.schemas.pricing.ModelInfo;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.PriceEntry;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the mode a pipeline batch of an {@code auto} lane runs in, once, before its intent is
 * recorded: the cheapest of batch, flex (where the model has a flex tier) and sync that is expected
 * to finish before the earliest {@code not_after} of the batch's tasks; the fastest when none is.
 * Ties go to batch, then flex.
 *
 * <p>Expected cost: the registry's price row in force, for the batch's estimated input tokens, with
 * the prompt cache expected where lines share a prefix of at least the model's minimum (every line of
 * a prefix but the first reads it), and {@value #ASSUMED_OUTPUT_TOKENS} output tokens per line (an
 * assumption; output bills at the same multiple of list in batch and flex, so it rarely decides).
 * Expected turnaround: batch, the 95th percentile of this provider and model's last
 * {@value #HISTORY} settled batches (submission to settlement) once there are at least
 * {@value #MIN_SAMPLES}, else the providers' 24-hour window; flex and sync, the lines at the
 * runner's concurrency at {@link #FLEX_PER_LINE} / {@link #SYNC_PER_LINE} per line.
 */
public final class ModeChooser implements ModeDecider {
    @Override
    public Optional<Choice> decide(Connection c, BatchRow batch, Instant now) throws SQLException {
        return choose(c, batch, now);
    }

    static final int ASSUMED_OUTPUT_TOKENS = 40;
    static final int HISTORY = 50;
    static final int MIN_SAMPLES = 5;
    static final Duration BATCH_DEFAULT = Duration.ofHours(24);
    static final Duration FLEX_PER_LINE = Duration.ofMinutes(2);
    static final Duration SYNC_PER_LINE = Duration.ofSeconds(10);

    /** The mode a lane's batches run in; {@code AUTO} = chosen per batch here. */
    public enum LaneMode { BATCH, FLEX, SYNC, AUTO }

    private final ModelRegistry registry;
    private final Map<String, LaneMode> lanes;
    private final int concurrency;

    /** @param lanes {@code provider/model} → mode; lanes not named run in batch */
    public ModeChooser(ModelRegistry registry, Map<String, LaneMode> lanes, int concurrency) {
        this.registry = registry;
        this.lanes = Map.copyOf(lanes);
        this.concurrency = concurrency;
    }

    /** The lane's own entry, else the {@value #EVERY_LANE} entry, else batch. */
    LaneMode laneMode(BatchRow batch) {
        return lanes.getOrDefault(batch.provider().id() + "/" + batch.model(),
                lanes.getOrDefault(EVERY_LANE, LaneMode.BATCH));
    }

    /** In {@code OFFPEAK_RESULT_LANE_MODES}: the mode of every lane not named. */
    public static final String EVERY_LANE = "*";

    /**
     * The mode for a new batch of its lane (still {@code ready}, never submitted): empty when its
     * lane runs in batch, or when the batch is a retry or rescue of an earlier one (those keep theirs).
     */
    Optional<Choice> choose(Connection c, BatchRow batch, Instant now) throws SQLException {
        LaneMode lane = laneMode(batch);
        if (lane == LaneMode.BATCH || batch.mode() != Mode.BATCH || batch.submitAttempts() > 0) {
            return Optional.empty();
        }
        if (lane != LaneMode.AUTO) {
            Mode fixed = Mode.valueOf(lane.name());
            if (fixed == Mode.FLEX && !offersFlex(batch)) {
                return Optional.of(new Choice(Mode.BATCH, "lane mode flex, but " + batch.model()
                        + " has no flex tier in the model registry: batch"));
            }
            return Optional.of(new Choice(fixed, "lane mode " + lane.name().toLowerCase(Locale.ROOT)));
        }
        Optional<PriceEntry> price = registry.priceAt(batch.provider(), batch.model(), now);
        if (price.isEmpty()) {
            return Optional.of(new Choice(Mode.BATCH, "auto: no price row, batch"));
        }
        long lines = batch.sentCount();
        Usage expected = expectedUsage(c, batch, lines);
        Optional<Instant> deadline = BatchStore.earliestOpenDeadline(c, batch.batchId());
        List<Mode> candidates = new ArrayList<>(List.of(Mode.BATCH));
        if (offersFlex(batch)) {
            candidates.add(Mode.FLEX);
        }
        candidates.add(Mode.SYNC);
        Mode best = null;
        BigDecimal bestCost = null;
        Mode fastest = null;
        Duration fastestTime = null;
        StringBuilder why = new StringBuilder("auto:");
        for (Mode m : candidates) {
            BigDecimal cost = Cost.of(expected, price.get(), m).batchUsd();
            Duration takes = turnaround(c, batch, m, lines);
            boolean inTime = deadline.isEmpty() || !now.plus(takes).isAfter(deadline.get());
            why.append(' ').append(m.id()).append(" $").append(cost.stripTrailingZeros().toPlainString())
                    .append(" ~").append(takes.toMinutes()).append("m").append(inTime ? "" : " (late)").append(';');
            if (inTime && (bestCost == null || cost.compareTo(bestCost) < 0)) {
                best = m;
                bestCost = cost;
            }
            if (fastestTime == null || takes.compareTo(fastestTime) < 0) {
                fastest = m;
                fastestTime = takes;
            }
        }
        Mode chosen = best != null ? best : fastest;
        why.append(" chose ").append(chosen.id()).append(best != null ? " (cheapest in time)" : " (fastest: none in time)");
        return Optional.of(new Choice(chosen, why.toString()));
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

    private Duration turnaround(Connection c, BatchRow batch, Mode mode, long lines) throws SQLException {
        long rounds = (lines + concurrency - 1) / concurrency;
        return switch (mode) {
            case FLEX -> FLEX_PER_LINE.multipliedBy(rounds);
            case SYNC -> SYNC_PER_LINE.multipliedBy(rounds);
            case BATCH -> {
                List<Double> seconds = Db.query(c, """
                        SELECT extract(epoch FROM settled_at - submitted_at) FROM batches
                         WHERE provider = ? AND model = ? AND mode = 'batch' AND state = 'settled'
                           AND submitted_at IS NOT NULL AND settled_at IS NOT NULL AND provider_batch_id IS NOT NULL
                         ORDER BY settled_at DESC LIMIT ?""", rs -> rs.getDouble(1), batch.provider().id(),
                        batch.model(), HISTORY);
                if (seconds.size() < MIN_SAMPLES) {
                    yield BATCH_DEFAULT;
                }
                List<Double> sorted = seconds.stream().sorted().toList();
                double p95 = sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1);
                yield Duration.ofMillis((long) (p95 * 1000));
            }
        };
    }

    /** Parses {@code provider/model=mode,...} ({@code *=mode} for every other lane); an entry it cannot read is an IllegalArgumentException naming it. */
    public static Map<String, LaneMode> parse(String text) {
        Map<String, LaneMode> out = new java.util.TreeMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String entry : text.split(",")) {
            String[] kv = entry.strip().split("=", 2);
            if (kv.length != 2 || !(kv[0].contains("/") || kv[0].strip().equals(EVERY_LANE))) {
                throw new IllegalArgumentException("entry '" + entry.strip() + "' is not provider/model=mode or *=mode");
            }
            try {
                out.put(kv[0].strip(), LaneMode.valueOf(kv[1].strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("entry '" + entry.strip() + "': mode must be batch, flex, sync or auto");
            }
        }
        return out;
    }
}
