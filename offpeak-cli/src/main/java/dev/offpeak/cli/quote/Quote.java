package dev.offpeak.cli.quote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.identity.RequestIdentity;
import dev.offpeak.schemas.packing.CacheablePrefix;
import dev.offpeak.schemas.packing.PackingKey;
import dev.offpeak.schemas.pricing.Cost;
import dev.offpeak.schemas.pricing.Mode;
import dev.offpeak.schemas.pricing.ModelInfo;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.OutputCap;
import dev.offpeak.schemas.pricing.PriceEntry;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.schemas.validation.TokenEstimator;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The price of a workload before it is sent, per mode, from the model registry: an estimate (token
 * counts are estimated, output tokens assumed, cache hits expected), never a bill. See
 * {@code offpeak-cli/README.md#quote} for the rules and how far the figures may be off.
 *
 * <ul>
 *   <li><b>list</b>: every task (duplicates included) at synchronous rates, no cache;</li>
 *   <li><b>batch</b>, <b>flex</b>, <b>sync</b>: the unique requests (dedup by {@link RequestIdentity})
 *       at the mode's rates, with the expected prompt cache: the unique lines of one lane sharing a
 *       {@link CacheablePrefix} whose estimate reaches the model's minimum cacheable prefix read it
 *       from cache after the first line (Anthropic only where a request carries {@code cache_control},
 *       or where Offpeak would add a breakpoint: it pays back at the model's rates, the first line
 *       writing at the 1-hour rate); flex only for models with a flex tier.</li>
 * </ul>
 */
public final class Quote {
    /** Which output-token figure a sum uses: the assumption, none, or every line's cap. */
    public enum Output { ASSUMED, ZERO, CAP }

    /** Sums of one model (or of all), per mode and output variant. Flex is null where no line offers it. */
    public static final class Figures {
        public long tasks;
        public long unique;
        public long promptTokens;
        public long cachedTokens;
        public long outputTokens;
        public long flexUnique;
        final Map<Output, BigDecimal> list = zeros();
        final Map<Output, BigDecimal> batch = zeros();
        final Map<Output, BigDecimal> flex = zeros();
        final Map<Output, BigDecimal> sync = zeros();
        /** Batch with no cache hit at all: what the batch costs if the providers' caches miss. */
        BigDecimal batchNoCache = BigDecimal.ZERO;
        /** Unique requests whose first task asked batch, flex or sync, and their price in that mode (assumed output). */
        public long askedUnique;
        BigDecimal askedUsd = BigDecimal.ZERO;
        /** The unique requests that ask no fixed mode (none, or auto): what auto decides for; null when there are none. */
        Figures autoLines;

        /** What the lines asking a fixed mode cost in it (a flex request of a model without flex: batch). */
        public BigDecimal askedUsd() {
            return askedUsd;
        }

        /** The figures of the lines asking no fixed mode; null when every line asks one. */
        public Figures autoLines() {
            return autoLines;
        }

        public BigDecimal list(Output o) {
            return list.get(o);
        }

        public BigDecimal batch(Output o) {
            return batch.get(o);
        }

        /** The flex price of the unique requests that can run in flex ({@link #flexUnique} of them); null if none can. */
        public BigDecimal flex(Output o) {
            return flexUnique == 0 ? null : flex.get(o);
        }

        public BigDecimal sync(Output o) {
            return sync.get(o);
        }

        public BigDecimal batchNoCache() {
            return batchNoCache;
        }

        /** Whether every unique request can run in flex. */
        public boolean flexForAll() {
            return flexUnique > 0 && flexUnique == unique;
        }

        void add(Figures o) {
            tasks += o.tasks;
            unique += o.unique;
            promptTokens += o.promptTokens;
            cachedTokens += o.cachedTokens;
            outputTokens += o.outputTokens;
            flexUnique += o.flexUnique;
            for (Output v : Output.values()) {
                list.merge(v, o.list.get(v), BigDecimal::add);
                batch.merge(v, o.batch.get(v), BigDecimal::add);
                flex.merge(v, o.flex.get(v), BigDecimal::add);
                sync.merge(v, o.sync.get(v), BigDecimal::add);
            }
            batchNoCache = batchNoCache.add(o.batchNoCache);
            askedUnique += o.askedUnique;
            askedUsd = askedUsd.add(o.askedUsd);
            if (o.autoLines != null) {
                if (autoLines == null) {
                    autoLines = new Figures();
                }
                autoLines.add(o.autoLines);
            }
        }

        private static Map<Output, BigDecimal> zeros() {
            Map<Output, BigDecimal> m = new HashMap<>();
            for (Output v : Output.values()) {
                m.put(v, BigDecimal.ZERO);
            }
            return m;
        }
    }

    /** One model's lines: its price row and sums. */
    public record ModelQuote(Provider provider, String model, PriceEntry price, Figures figures) {}

    /** The quote: per provider and model (sorted), and the total. */
    public record Result(List<ModelQuote> models, Figures total, long assumedOutputTokens, Instant pricedAt) {}

    /** One unique request, as the cache grouping needs it. */
    private record UniqueLine(PriceEntry price, long prompt, long prefix, long output, long cap, boolean cacheControl,
            boolean ttl1h, RequestedMode asked) {}

    private final ModelRegistry registry;
    private final TokenEstimator tokens;

    public Quote(ModelRegistry registry, TokenEstimator tokens) {
        this.registry = registry;
        this.tokens = tokens;
    }

    /**
     * Quotes valid tasks (each known to the registry: run them through the TaskValidator first),
     * each line assumed to produce {@code assumedOutput} tokens (at most its cap), at the price rows
     * in force at {@code at}.
     */
    public Result quote(List<TaskSubmitted> tasks, long assumedOutput, Instant at) {
        return quote(tasks, assumedOutput, at, TaskSubmitted::mode);
    }

    /**
     * As {@link #quote(List, long, Instant)}, with the mode each task runs in by {@code asked} (its own, or
     * its tenant's / lane's default; null or auto: left to auto).
     */
    public Result quote(List<TaskSubmitted> tasks, long assumedOutput, Instant at,
                        java.util.function.Function<TaskSubmitted, RequestedMode> asked) {
        Map<String, ModelQuote> models = new LinkedHashMap<>();
        Map<String, List<UniqueLine>> groups = new LinkedHashMap<>();
        Map<String, Long> prefixTokens = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (TaskSubmitted task : tasks) {
            ModelInfo info = registry.find(task.provider(), task.model())
                    .orElseThrow(() -> new IllegalArgumentException("unknown model " + task.model()));
            PriceEntry price = info.priceAt(at).orElse(info.latestPrice());
            ModelQuote mq = models.computeIfAbsent(task.provider().id() + "/" + info.id(),
                    k -> new ModelQuote(task.provider(), info.id(), price, new Figures()));
            Figures f = mq.figures();
            JsonNode request = task.request();
            long prompt = tokens.estimate(task.provider(), task.model(), request);
            long cap = Math.min(OutputCap.of(request).orElse(info.maxOutputTokens()), info.maxOutputTokens());
            long output = Math.min(assumedOutput, cap);
            f.tasks++;
            add(f.list, price, new long[] {prompt, 0, 0, 0}, output, cap, Mode.SYNC, true);
            if (!seen.add(RequestIdentity.requestId(task))) {
                continue;
            }
            f.unique++;
            CacheablePrefix prefix = CacheablePrefix.of(task.provider(), task.endpoint(), request);
            String lane = PackingKey.lane(task.provider(), task.endpoint(), info.id());
            long prefixEstimate = prefix.isNone() ? 0 : prefixTokens.computeIfAbsent(lane + "|" + prefix.fingerprint(),
                    k -> tokens.estimate(task.provider(), task.model(), prefix.parts()));
            String text = request.toString();
            boolean cacheControl = text.contains("\"cache_control\"");
            groups.computeIfAbsent(task.provider().id() + "/" + info.id() + "|" + lane + "|" + prefix.fingerprint(),
                    k -> new ArrayList<>()).add(new UniqueLine(price, prompt, Math.min(prefixEstimate, prompt), output, cap,
                    cacheControl, cacheControl && text.contains("\"ttl\":\"1h\""), asked.apply(task)));
        }
        for (Map.Entry<String, List<UniqueLine>> g : groups.entrySet()) {
            String modelKey = g.getKey().substring(0, g.getKey().indexOf('|'));
            ModelQuote mq = models.get(modelKey);
            ModelInfo info = registry.find(mq.provider(), mq.model()).orElseThrow();
            priceGroup(mq.figures(), info, g.getKey().endsWith("|" + CacheablePrefix.NONE), g.getValue());
        }
        List<ModelQuote> sorted = models.values().stream()
                .sorted(java.util.Comparator.comparing((ModelQuote m) -> m.provider().id()).thenComparing(ModelQuote::model))
                .toList();
        Figures total = new Figures();
        sorted.forEach(m -> total.add(m.figures()));
        return new Result(sorted, total, assumedOutput, at);
    }

    /** Prices the unique lines of one lane and prefix, in file order: the first fills the cache, the rest read it. */
    private static void priceGroup(Figures f, ModelInfo info, boolean noPrefix, List<UniqueLine> lines) {
        long prefix = lines.get(0).prefix();
        long minimum = info.minCacheablePrefix().orElse(0);
        boolean cached = !noPrefix && minimum > 0 && prefix >= minimum;
        boolean anthropic = info.provider() == Provider.ANTHROPIC;
        boolean ttl1h = true;
        if (cached && anthropic) {
            boolean carried = lines.stream().anyMatch(UniqueLine::cacheControl);
            // a request's own breakpoint writes at its own TTL (5 minutes unless it says 1h); Offpeak's is 1h
            ttl1h = carried ? lines.stream().anyMatch(UniqueLine::ttl1h) : true;
            cached = carried || lines.get(0).price().breakpointPaysBack(prefix, lines.size());
        } else if (cached) {
            cached = lines.size() > 1;
        }
        for (int i = 0; i < lines.size(); i++) {
            UniqueLine l = lines.get(i);
            long read = cached && i > 0 ? l.prefix() : 0;
            long write = cached && anthropic && i == 0 ? l.prefix() : 0;
            long[] prompt = {l.prompt() - read - write, read, ttl1h ? 0 : write, ttl1h ? write : 0};
            addLine(f, l, prompt, read);
            f.batchNoCache = f.batchNoCache.add(
                    Cost.of(new Usage(l.prompt(), 0, 0, 0, l.output(), 0), l.price(), Mode.BATCH).billedUsd());
            Optional<Mode> asked = Optional.ofNullable(l.asked()).flatMap(RequestedMode::fixed)
                    .map(m -> m == Mode.FLEX && !l.price().offersFlex() ? Mode.BATCH : m);
            if (asked.isPresent()) {
                f.askedUnique++;
                f.askedUsd = f.askedUsd.add(Cost.of(new Usage(prompt[0], prompt[1], prompt[2], prompt[3], l.output(), 0),
                        l.price(), asked.get()).billedUsd());
            } else {
                if (f.autoLines == null) {
                    f.autoLines = new Figures();
                }
                f.autoLines.unique++;
                addLine(f.autoLines, l, prompt, read);
            }
        }
    }

    /** One unique line's tokens and its price in batch, sync and (where the model has it) flex. */
    private static void addLine(Figures f, UniqueLine l, long[] prompt, long read) {
        f.promptTokens += l.prompt();
        f.cachedTokens += read;
        f.outputTokens += l.output();
        add(f.batch, l.price(), prompt, l.output(), l.cap(), Mode.BATCH, false);
        add(f.sync, l.price(), prompt, l.output(), l.cap(), Mode.SYNC, false);
        if (l.price().offersFlex()) {
            f.flexUnique++;
            add(f.flex, l.price(), prompt, l.output(), l.cap(), Mode.FLEX, false);
        }
    }

    /** Adds one line's price in {@code mode} for every output variant; {@code list}: its list cost instead. */
    private static void add(Map<Output, BigDecimal> sums, PriceEntry price, long[] prompt, long assumed, long cap,
            Mode mode, boolean list) {
        for (Output v : Output.values()) {
            long out = switch (v) {
                case ASSUMED -> assumed;
                case ZERO -> 0;
                case CAP -> cap;
            };
            Cost c = Cost.of(new Usage(prompt[0], prompt[1], prompt[2], prompt[3], out, 0), price, mode);
            sums.merge(v, list ? c.listUsd() : c.billedUsd(), BigDecimal::add);
        }
    }
}
