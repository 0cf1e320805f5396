package dev.offpeak.result.caching;

import dev.offpeak.result.db.Db;
import dev.offpeak.result.store.BatchRow;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.ModelInfo;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * Decides, once per batch in the transaction that records the intent to submit it, which lines get
 * a prompt-cache hint, and records each hint with its line ({@code batch_items.adjustment}), so what
 * Offpeak changed is auditable and a resubmission after a crash sends the same bytes.
 *
 * <ul>
 *   <li><b>Anthropic</b>: lines that share a cacheable prefix (same fingerprint) get a
 *       {@code cache_control} breakpoint with TTL {@code 1h} at the end of the prefix (the last
 *       {@code system} block, or the last tool when there is no system) when the prefix is at least
 *       the model's minimum cacheable length, the request carries no breakpoint of its own, and the
 *       breakpoint pays for itself at the model's prices: one write at the 1-hour write rate plus
 *       (n - 1) reads must cost less than n plain inputs. With Anthropic's multipliers (write 2x,
 *       read 0.1x) that takes n &ge; 3 lines; at n = 2 the breakpoint would cost 2.1x instead of 2x.</li>
 *   <li><b>OpenAI</b>: caching is automatic; a line whose prefix reaches the model's minimum and
 *       that names no {@code prompt_cache_key} gets {@code offpeak-<fingerprint>}, so requests of one
 *       prefix are routed together and requests of other prefixes do not crowd them out.</li>
 *   <li><b>Gemini</b>: implicit caching needs no change to the request (lines of one prefix are sent
 *       adjacent). Explicit context caching is not used: it bills hits at the same cached rate as implicit
 *       caching, plus storage per token-hour; the batch's {@code caching_note} says why for each batch.</li>
 * </ul>
 * A tenant listed in {@code OFFPEAK_RESULT_PROMPT_CACHING_OFF} is never changed.
 */
public final class PromptCaching {
    /** The TTL of an added Anthropic breakpoint: the provider's advice for batches, which may wait an hour. */
    static final String ANTHROPIC_TTL = "1h";

    private final ModelRegistry registry;
    private final Predicate<String> enabledFor;

    /** @param enabledFor whether a tenant's requests may be changed (null tenant: the request has none) */
    public PromptCaching(ModelRegistry registry, Predicate<String> enabledFor) {
        this.registry = registry;
        this.enabledFor = enabledFor;
    }

    /** Changes nothing: for tests and callers that predate caching hints. */
    public static PromptCaching off(ModelRegistry registry) {
        return new PromptCaching(registry, tenant -> false);
    }

    /** One prefix of the batch: its fingerprint, how many lines share it, its estimated tokens. */
    record Group(String fingerprint, long lines, long tokens) {}

    /**
     * Records the hints of {@code batch}'s lines that have none yet; returns how many lines got one.
     * Runs inside the caller's transaction.
     */
    public int decide(Connection c, BatchRow batch, Instant now) throws SQLException {
        long minimum = registry.find(batch.provider(), batch.model()).map(ModelInfo::minCacheablePrefix)
                .map(m -> m.orElse(0)).orElse(0L);
        List<Group> groups = Db.query(c, """
                SELECT r.prefix_fingerprint, count(*), max(r.prefix_tokens)
                  FROM batch_items i JOIN requests r ON r.request_id = i.request_id
                 WHERE i.batch_id = ? AND i.refused IS NULL AND r.prefix_fingerprint IS NOT NULL
                   AND r.prefix_fingerprint <> '-'
                 GROUP BY 1 ORDER BY 2 DESC, 1""", rs -> new Group(rs.getString(1), rs.getLong(2), rs.getLong(3)),
                batch.batchId());
        String[] disabled = disabledTenants(c, batch);
        return switch (batch.provider()) {
            case ANTHROPIC -> anthropic(c, batch, groups, minimum, disabled, now);
            case OPENAI -> openAi(c, batch, groups, minimum, disabled);
            case GEMINI -> {
                geminiNote(c, batch, groups, minimum);
                yield 0;
            }
        };
    }

    private int anthropic(Connection c, BatchRow batch, List<Group> groups, long minimum, String[] disabled,
                          Instant now) throws SQLException {
        if (minimum <= 0) {
            return 0;
        }
        int marked = 0;
        for (Group g : groups) {
            if (g.lines() < 2 || g.tokens() < minimum || !paysBack(batch, g, now)) {
                continue;
            }
            marked += Db.update(c, """
                    UPDATE batch_items i
                       SET adjustment = jsonb_build_object(
                               'cache_control', jsonb_build_object('type', 'ephemeral', 'ttl', ?::text),
                               'at', CASE WHEN r.line::jsonb -> 'params' -> 'system' IS NOT NULL THEN 'system' ELSE 'tools' END)
                      FROM requests r
                     WHERE r.request_id = i.request_id AND i.batch_id = ? AND r.prefix_fingerprint = ?
                       AND i.refused IS NULL AND i.adjustment IS NULL
                       AND position('"cache_control"' in r.line) = 0
                       AND NOT (coalesce(i.tenant, '') = ANY (?::text[]))""",
                    ANTHROPIC_TTL, batch.batchId(), g.fingerprint(), new Db.TextArray(List.of(disabled)));
        }
        return marked;
    }

    /** The breakpoint pays for itself at the price row in force ({@link dev.offpeak.schemas.pricing.PriceEntry#breakpointPaysBack}). */
    private boolean paysBack(BatchRow batch, Group g, Instant now) {
        return registry.priceAt(batch.provider(), batch.model(), now)
                .map(p -> p.breakpointPaysBack(g.tokens(), g.lines())).orElse(false);
    }

    private int openAi(Connection c, BatchRow batch, List<Group> groups, long minimum, String[] disabled)
            throws SQLException {
        if (minimum <= 0) {
            return 0;
        }
        int marked = 0;
        for (Group g : groups) {
            if (g.tokens() < minimum) {
                continue;
            }
            marked += Db.update(c, """
                    UPDATE batch_items i SET adjustment = jsonb_build_object('prompt_cache_key', 'offpeak-' || ?::text)
                      FROM requests r
                     WHERE r.request_id = i.request_id AND i.batch_id = ? AND r.prefix_fingerprint = ?
                       AND i.refused IS NULL AND i.adjustment IS NULL
                       AND position('"prompt_cache_key"' in r.line) = 0
                       AND NOT (coalesce(i.tenant, '') = ANY (?::text[]))""",
                    g.fingerprint(), batch.batchId(), g.fingerprint(), new Db.TextArray(List.of(disabled)));
        }
        return marked;
    }

    /** Why explicit context caching is not used for this batch, for the operator. */
    private void geminiNote(Connection c, BatchRow batch, List<Group> groups, long minimum) throws SQLException {
        String note;
        if (groups.isEmpty()) {
            note = "no line has a cacheable prefix; nothing to cache";
        } else {
            Group top = groups.getFirst();
            String largest = "the most shared prefix (" + top.lines() + " lines, ~" + top.tokens() + " tokens)";
            if (minimum <= 0) {
                note = batch.model() + " does not cache prompts";
            } else if (top.tokens() < minimum) {
                note = "explicit context caching not used: " + largest + " is below " + batch.model()
                        + "'s minimum of " + minimum + " tokens";
            } else {
                note = "explicit context caching not used: " + largest + " is read from the implicit cache (its "
                        + "lines are sent adjacent), billed at the same cached rate without the explicit cache's "
                        + "storage charge per token-hour";
            }
        }
        Db.update(c, "UPDATE batches SET caching_note = ? WHERE batch_id = ?", note, batch.batchId());
    }

    private String[] disabledTenants(Connection c, BatchRow batch) throws SQLException {
        List<String> tenants = Db.query(c, "SELECT DISTINCT coalesce(tenant, '') FROM batch_items WHERE batch_id = ?",
                rs -> rs.getString(1), batch.batchId());
        return tenants.stream().filter(t -> !enabledFor.test(t.isEmpty() ? null : t)).toArray(String[]::new);
    }
}
