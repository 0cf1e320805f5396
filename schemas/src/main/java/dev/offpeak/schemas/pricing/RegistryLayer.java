package dev.offpeak.schemas.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One registry file, parsed but not yet merged: the imported dataset, Offpeak's own rows, or an
 * operator's override file. All three share one format (see {@code docs/model-registry.md}):
 * {@code rules} give traits to every model of a provider whose id they match, {@code models} name
 * one model each, and a later layer's value wins over an earlier one's.
 *
 * @param imported whether price rows may leave {@code effective_from} out (the source gave no start
 *                 date: the row is in force from the model's release)
 */
record RegistryLayer(String name, String source, boolean imported, List<Rule> rules, List<ModelRow> models) {

    /** Traits of a model; every field may be unset, and a set field of a later layer wins. */
    record Traits(
            Long contextWindow,
            Long maxOutputTokens,
            Set<String> endpoints,
            Long minCacheablePrefix,
            String contextNote,
            Boolean deprecated,
            LocalDate released,
            String exclude,
            BigDecimal batchMultiplier,
            BatchCachedInput batchCachedInput,
            String batchSource,
            BigDecimal flexMultiplier,
            BatchCachedInput flexCachedInput,
            String flexSource) {

        /** {@code flex_multiplier: false}: the model has no flex tier, whatever an earlier layer or rule said. */
        static final BigDecimal NO_FLEX = BigDecimal.ZERO;

        static final Traits NONE = new Traits(null, null, null, null, null, null, null, null, null, null, null,
                null, null, null);

        Traits over(Traits top) {
            return new Traits(
                    pick(top.contextWindow, contextWindow), pick(top.maxOutputTokens, maxOutputTokens),
                    pick(top.endpoints, endpoints), pick(top.minCacheablePrefix, minCacheablePrefix),
                    pick(top.contextNote, contextNote), pick(top.deprecated, deprecated),
                    pick(top.released, released), pick(top.exclude, exclude),
                    pick(top.batchMultiplier, batchMultiplier), pick(top.batchCachedInput, batchCachedInput),
                    top.batchMultiplier != null || top.batchCachedInput != null ? top.batchSource : batchSource,
                    pick(top.flexMultiplier, flexMultiplier), pick(top.flexCachedInput, flexCachedInput),
                    top.flexMultiplier != null || top.flexCachedInput != null ? top.flexSource : flexSource);
        }

        /** Whether the merged traits give the model a flex tier (a multiplier, not {@code false}). */
        boolean flex() {
            return flexMultiplier != null && flexMultiplier.signum() > 0;
        }

        boolean excluded() {
            return exclude != null && !exclude.isEmpty();
        }

        private static <T> T pick(T top, T below) {
            return top != null ? top : below;
        }
    }

    /** Traits for every model of {@code provider} whose id {@code match} accepts (all of them if null). */
    record Rule(Provider provider, ModelMatch match, Traits traits) {
        boolean applies(Provider p, String modelId) {
            return provider == p && (match == null || match.matches(modelId));
        }
    }

    /** One model: its traits and price rows. */
    record ModelRow(Provider provider, String model, ModelMatch match, Traits traits, List<RawPrice> prices) {}

    /** A price row before the batch rule is known; {@code effectiveFrom} null = from the model's release. */
    record RawPrice(LocalDate effectiveFrom, PriceRates base, List<PriceTier> tiers, String source) {}

    private static final Set<String> TRAIT_FIELDS = Set.of("provider", "match", "context_window", "max_output_tokens",
            "endpoints", "min_cacheable_prefix", "context_note", "deprecated", "released", "exclude",
            "batch_multiplier", "batch_cached_input", "flex_multiplier", "flex_cached_input", "source", "notes");
    private static final Set<String> MODEL_FIELDS = union(TRAIT_FIELDS, Set.of("model", "prices"));
    private static final Set<String> RATE_FIELDS = Set.of("input", "cached_input", "cache_write_5m", "cache_write_1h", "output");
    private static final Set<String> PRICE_FIELDS = union(RATE_FIELDS, Set.of("effective_from", "tiers", "source", "notes"));
    private static final Set<String> TIER_FIELDS = union(RATE_FIELDS, Set.of("above"));
    private static final Set<String> TOP_FIELDS = Set.of("registry", "version", "source", "imported_at", "currency",
            "unit", "notes", "rules", "models");

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    static RegistryLayer parse(String name, JsonNode root, List<String> problems) {
        if (root == null || !root.isObject()) {
            problems.add(name + ": must be a JSON object");
            return new RegistryLayer(name, null, false, List.of(), List.of());
        }
        JsonFields top = new JsonFields(name, root, problems);
        top.only(TOP_FIELDS);
        boolean imported = top.has("imported_at");
        String source = imported ? top.text("source", true) + " (imported " + top.text("imported_at", true) + ")"
                : top.text("source", false);
        List<Rule> rules = new ArrayList<>();
        for (JsonFields f : top.objects("rules", false)) {
            f.only(TRAIT_FIELDS);
            Provider provider = provider(f);
            Traits traits = traits(f, source);
            rules.add(new Rule(provider, f.match("match"), traits));
        }
        List<ModelRow> models = new ArrayList<>();
        for (JsonFields raw : top.objects("models", false)) {
            JsonFields f = raw.renamed(name + " " + raw.name() + " (" + raw.node().path("provider").asText("?")
                    + "/" + raw.node().path("model").asText("?") + ")");
            f.only(MODEL_FIELDS);
            Provider provider = provider(f);
            String model = f.text("model", true);
            String rowSource = f.has("source") ? f.text("source", false) : source;
            List<RawPrice> prices = new ArrayList<>();
            for (JsonFields p : f.objects("prices", false)) {
                prices.add(price(p.renamed(f.name() + " " + p.name()), imported, rowSource));
            }
            models.add(new ModelRow(provider, model, f.match("match"), traits(f, rowSource), prices));
        }
        return new RegistryLayer(name, source, imported, rules, models);
    }

    private static Provider provider(JsonFields f) {
        String id = f.text("provider", true);
        Provider provider = id == null ? null : Provider.find(id).orElse(null);
        if (id != null && provider == null) {
            f.fail("provider", "must be one of openai, anthropic, gemini, was '" + id + "'");
        }
        return provider;
    }

    private static Traits traits(JsonFields f, String source) {
        BigDecimal multiplier = f.price("batch_multiplier", false);
        if (multiplier != null && (multiplier.signum() <= 0 || multiplier.compareTo(BigDecimal.ONE) > 0)) {
            f.fail("batch_multiplier", "must be in (0, 1], was " + multiplier);
        }
        BatchCachedInput rule = null;
        String ruleText = f.text("batch_cached_input", false);
        if (ruleText != null) {
            try {
                rule = BatchCachedInput.parse(ruleText);
            } catch (IllegalArgumentException e) {
                f.fail("batch_cached_input", "must be one of multiplied, as_input, unmultiplied, was '" + ruleText + "'");
            }
        }
        BigDecimal flexMultiplier = null;
        JsonNode flex = f.node().get("flex_multiplier");
        if (flex != null && flex.isBoolean() && !flex.asBoolean()) {
            flexMultiplier = Traits.NO_FLEX;
        } else if (flex != null && flex.isBoolean()) {
            f.fail("flex_multiplier", "must be a decimal string in (0, 1] such as \"0.5\", or false (no flex tier), was true");
        } else {
            flexMultiplier = f.price("flex_multiplier", false);
            if (flexMultiplier != null && (flexMultiplier.signum() <= 0 || flexMultiplier.compareTo(BigDecimal.ONE) > 0)) {
                f.fail("flex_multiplier", "must be in (0, 1] (or false: no flex tier), was " + flexMultiplier);
                flexMultiplier = null;
            }
        }
        BatchCachedInput flexRule = null;
        String flexRuleText = f.text("flex_cached_input", false);
        if (flexRuleText != null) {
            try {
                flexRule = BatchCachedInput.parse(flexRuleText);
            } catch (IllegalArgumentException e) {
                f.fail("flex_cached_input", "must be one of multiplied, as_input, unmultiplied, was '" + flexRuleText + "'");
            }
        }
        String exclude = null;
        JsonNode ex = f.node().get("exclude");
        if (ex != null && !ex.isNull()) {
            if (ex.isBoolean() && !ex.asBoolean()) {
                exclude = "";
            } else if (ex.isTextual() && !ex.asText().isBlank()) {
                exclude = ex.asText();
            } else {
                f.fail("exclude", "must be the reason (a string) or false, was " + ex);
            }
        }
        String batchSource = f.has("source") ? f.text("source", false) : source;
        return new Traits(f.count("context_window", 1), f.count("max_output_tokens", 0), f.strings("endpoints"),
                f.count("min_cacheable_prefix", 0), f.text("context_note", false), f.bool("deprecated"),
                f.date("released", false), exclude, multiplier, rule, batchSource, flexMultiplier, flexRule, batchSource);
    }

    private static RawPrice price(JsonFields p, boolean imported, String source) {
        p.only(PRICE_FIELDS);
        LocalDate from = p.date("effective_from", !imported);
        PriceRates base = rates(p);
        List<PriceTier> tiers = new ArrayList<>();
        long previous = -1;
        for (JsonFields t : p.objects("tiers", false)) {
            JsonFields tier = t.renamed(p.name() + " " + t.name());
            tier.only(TIER_FIELDS);
            Long above = tier.count("above", 0);
            if (above == null) {
                tier.fail("above", "required: the prompt size (tokens) above which the tier applies");
            } else if (above <= previous) {
                tier.fail("above", "tiers must be in increasing order, " + above + " follows " + previous);
            }
            PriceRates rates = rates(tier);
            if (above != null && rates != null) {
                tiers.add(new PriceTier(above, rates));
                previous = above;
            }
        }
        String rowSource = p.has("source") ? p.text("source", false) : source;
        if (rowSource == null) {
            p.fail("source", "required: where these figures come from");
        }
        return new RawPrice(from, base, tiers, rowSource);
    }

    private static PriceRates rates(JsonFields f) {
        int before = f.problemCount();
        BigDecimal input = f.price("input", true);
        BigDecimal cached = f.price("cached_input", false);
        BigDecimal write5m = f.price("cache_write_5m", false);
        BigDecimal write1h = f.price("cache_write_1h", false);
        BigDecimal output = f.price("output", true);
        return f.problemCount() > before ? null : new PriceRates(input, cached, write5m, write1h, output);
    }
}
