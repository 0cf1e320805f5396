package dev.offpeak.schemas.pricing;

import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.RegistryLayer.ModelRow;
import dev.offpeak.schemas.pricing.RegistryLayer.RawPrice;
import dev.offpeak.schemas.pricing.RegistryLayer.Rule;
import dev.offpeak.schemas.pricing.RegistryLayer.Traits;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Merges registry layers into models. For each model named by any layer: its traits are the
 * imported ones, overlaid by every matching rule and then every row naming the model, layer by
 * layer; its price rows are the union by {@code effective_from}, a later layer's row replacing an
 * earlier one of the same date. A model missing a required trait is a problem naming it.
 */
final class RegistryMerge {
    /**
     * Start date of a row the source gives none for, when Offpeak does not know the model's release
     * date: the row then prices every line before the model's next row, as the source means it.
     */
    static final LocalDate SINCE_RELEASE = LocalDate.of(2020, 1, 1);

    private RegistryMerge() {}

    static ModelRegistry merge(List<RegistryLayer> layers) {
        List<String> problems = new ArrayList<>();
        Map<String, Draft> drafts = new LinkedHashMap<>();
        for (RegistryLayer layer : layers) {
            for (ModelRow row : layer.models()) {
                if (row.provider() == null || row.model() == null) {
                    continue;
                }
                Draft d = drafts.computeIfAbsent(row.provider().id() + "/" + row.model(),
                        k -> new Draft(row.provider(), row.model()));
                d.rows.add(new LayeredRow(layer, row));
            }
        }
        List<ModelInfo> models = new ArrayList<>();
        for (Draft d : drafts.values()) {
            ModelInfo m = d.build(layers, problems);
            if (m != null) {
                models.add(m);
            }
        }
        if (!problems.isEmpty()) {
            throw new RegistryException(String.join(" + ", layers.stream().map(RegistryLayer::name).toList()), problems);
        }
        String version = String.join(" + ", layers.stream()
                .map(l -> l.source() == null ? l.name() : l.name() + " [" + l.source() + "]").toList());
        return new ModelRegistry(version, ModelRegistry.byProvider(models));
    }

    private record LayeredRow(RegistryLayer layer, ModelRow row) {}

    private static final class Draft {
        final Provider provider;
        final String id;
        final List<LayeredRow> rows = new ArrayList<>();

        Draft(Provider provider, String id) {
            this.provider = provider;
            this.id = id;
        }

        ModelInfo build(List<RegistryLayer> layers, List<String> problems) {
            Traits traits = Traits.NONE;
            ModelMatch match = null;
            for (RegistryLayer layer : layers) {
                for (Rule rule : layer.rules()) {
                    if (rule.applies(provider, id)) {
                        traits = traits.over(rule.traits());
                    }
                }
                for (LayeredRow r : rows) {
                    if (r.layer() == layer) {
                        traits = traits.over(r.row().traits());
                        match = r.row().match() != null ? r.row().match() : match;
                    }
                }
            }
            if (traits.excluded()) {
                return null;
            }
            String name = provider.id() + "/" + id;
            int before = problems.size();
            require(traits.contextWindow() != null, name, "context_window", problems);
            require(traits.maxOutputTokens() != null, name, "max_output_tokens", problems);
            require(traits.endpoints() != null, name, "endpoints", problems);
            require(traits.batchMultiplier() != null, name, "batch_multiplier", problems);
            require(traits.batchCachedInput() != null, name, "batch_cached_input", problems);
            if (traits.flex() && traits.flexCachedInput() == null) {
                problems.add(name + ": flex_cached_input: required with flex_multiplier (how cached input bills in flex; "
                        + "set it in the same rule or model row)");
            }
            if (traits.flexMultiplier() == null && traits.flexCachedInput() != null) {
                problems.add(name + ": flex_multiplier: required with flex_cached_input (the flex rate; "
                        + "or remove flex_cached_input: the model then has no flex tier)");
            }
            duplicates(name, traits, problems);
            List<PriceEntry> prices = prices(traits);
            require(!prices.isEmpty(), name, "prices", problems);
            if (problems.size() > before) {
                return null;
            }
            long prefix = traits.minCacheablePrefix() == null ? 0 : traits.minCacheablePrefix();
            return new ModelInfo(provider, id, match, traits.contextWindow(), traits.maxOutputTokens(),
                    traits.endpoints(), prefix > 0 ? OptionalLong.of(prefix) : OptionalLong.empty(),
                    traits.contextNote(), Boolean.TRUE.equals(traits.deprecated()), prices);
        }

        private static LocalDate from(RawPrice p, Traits traits) {
            return p.effectiveFrom() != null ? p.effectiveFrom()
                    : traits.released() != null ? traits.released() : SINCE_RELEASE;
        }

        /** Within one layer a model is named once and each start date once; across layers the later wins. */
        private void duplicates(String name, Traits traits, List<String> problems) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            java.util.Set<RegistryLayer> layersSeen = new java.util.HashSet<>();
            for (LayeredRow r : rows) {
                if (!layersSeen.add(r.layer())) {
                    problems.add(name + ": named twice in " + r.layer().name());
                }
                for (RawPrice p : r.row().prices()) {
                    if (!seen.add(r.layer().name() + "@" + from(p, traits))) {
                        problems.add(name + ": two price rows from " + from(p, traits) + " in " + r.layer().name());
                    }
                }
            }
        }

        private List<PriceEntry> prices(Traits traits) {
            TreeMap<LocalDate, RawPrice> byDate = new TreeMap<>();
            for (LayeredRow r : rows) {
                for (RawPrice p : r.row().prices()) {
                    byDate.put(from(p, traits), p);
                }
            }
            if (traits.batchMultiplier() == null || traits.batchCachedInput() == null) {
                return List.of();
            }
            boolean flex = traits.flex() && traits.flexCachedInput() != null;
            List<PriceEntry> out = new ArrayList<>();
            byDate.forEach((from, p) -> out.add(new PriceEntry(provider, id, from, p.base(), p.tiers(),
                    traits.batchMultiplier(), traits.batchCachedInput(),
                    flex ? traits.flexMultiplier() : null, flex ? traits.flexCachedInput() : null,
                    p.source() + "; batch rule: " + traits.batchSource()
                            + (flex ? "; flex rule: " + traits.flexSource() : ""))));
            return out;
        }

        private static void require(boolean ok, String name, String field, List<String> problems) {
            if (!ok) {
                problems.add(name + ": " + field + ": required (set it in a rule or model row of "
                        + ModelRegistry.OWN_RESOURCE + " or the override file)");
            }
        }
    }
}
