package dev.offpeak.emulator;

import dev.offpeak.schemas.pricing.ModelRegistry;

import java.util.Optional;

/**
 * Which models the emulated providers serve, and their limits. By default it is Offpeak's model
 * registry ({@code schemas}' {@link ModelRegistry}, read once per JVM on the first lookup): the
 * emulator plays the providers, and the registry is Offpeak's record of what they serve. Tests pass
 * a small one through {@link EmulatorConfig#withModels}.
 */
@FunctionalInterface
public interface ModelCatalog {

    /** The model {@code modelId} names (its own id, an alias or a dated snapshot), or empty if the provider has none. */
    Optional<Model> find(Provider provider, String modelId);

    /**
     * @param id              the catalog's id for the model (a request may name it by alias or snapshot)
     * @param contextWindow   prompt tokens the model takes; 0 = not known, not checked
     * @param maxOutputTokens largest max-tokens value it accepts; 0 = not known or no text output, not checked
     * @param minCacheablePrefix smallest prompt prefix (tokens) the provider caches for it; 0 = it does not cache
     */
    record Model(String id, long contextWindow, long maxOutputTokens, long minCacheablePrefix) {
        /** A model that does not cache. */
        public Model(String id, long contextWindow, long maxOutputTokens) {
            this(id, contextWindow, maxOutputTokens, 0);
        }
    }

    /** The smallest cacheable prefix of the model {@code modelId} names; 0 when it does not cache or is unknown. */
    default long minCacheablePrefix(Provider provider, String modelId) {
        return modelId == null ? 0 : find(provider, modelId).map(Model::minCacheablePrefix).orElse(0L);
    }

    /** A catalog backed by a loaded registry. */
    static ModelCatalog of(ModelRegistry registry) {
        return new Registry(registry);
    }

    /** Offpeak's shipped registry ({@link ModelRegistry#loadDefault()}), loaded on the first lookup. */
    static ModelCatalog shipped() {
        return Shipped.CATALOG;
    }

    /** Adapts the registry, whose provider type lives in {@code schemas}. */
    record Registry(ModelRegistry registry) implements ModelCatalog {
        @Override
        public Optional<Model> find(Provider provider, String modelId) {
            return registry.find(dev.offpeak.schemas.events.Provider.valueOf(provider.name()), modelId)
                    .map(m -> new Model(m.id(), m.contextWindow(), m.maxOutputTokens(),
                            m.minCacheablePrefix().orElse(0)));
        }

        @Override
        public String toString() {
            return "ModelRegistry[" + registry.version() + "]";
        }
    }

    /** The shipped registry, read once: loading parses two JSON files and takes a second on a cold JVM. */
    final class Shipped implements ModelCatalog {
        static final Shipped CATALOG = new Shipped();

        private Shipped() {
        }

        private static final class Loaded {
            static final ModelCatalog REGISTRY = ModelCatalog.of(ModelRegistry.loadDefault());
        }

        @Override
        public Optional<Model> find(Provider provider, String modelId) {
            return Loaded.REGISTRY.find(provider, modelId);
        }

        @Override
        public String toString() {
            return "ModelRegistry[shipped]";
        }
    }
}
