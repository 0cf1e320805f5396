package dev.offpeak.schemas.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.config.ConfigException;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Every model Offpeak can send to a provider's batch API, with its limits and versioned prices,
 * merged from three layers of data: the imported dataset ({@value #IMPORTED_RESOURCE}, written by
 * {@code offpeak prices import}), Offpeak's own rows ({@value #OWN_RESOURCE}: batch rules, output
 * limits, endpoints, cache minimums, and anything the dataset lacks), and an optional operator
 * file named in configuration. Loading checks every row and reports all problems at once; a
 * malformed registry never loads, so no cost is computed from a half-read price list.
 */
public final class ModelRegistry {
    public static final String IMPORTED_RESOURCE = "/registry/genai-prices.json";
    public static final String OWN_RESOURCE = "/registry/offpeak.json";
    /**
     * Every service reads the operator's override file from this one key, so ingest, the batcher
     * and result-service admit and price with the same registry.
     */
    public static final String OVERRIDE_FILE_KEY = "OFFPEAK_MODEL_REGISTRY_FILE";
    /** Lookups remembered per provider and requested id; bounded because ids come from producers. */
    private static final int MAX_REMEMBERED_IDS = 10_000;

    private final String version;
    private final Map<Provider, List<ModelInfo>> models;
    private final Map<Provider, Map<String, Optional<ModelInfo>>> found = new EnumMap<>(Provider.class);

    ModelRegistry(String version, Map<Provider, List<ModelInfo>> models) {
        this.version = version;
        this.models = models;
        for (Provider p : Provider.values()) {
            found.put(p, new ConcurrentHashMap<>());
        }
    }

    /** The registry shipped with Offpeak, without operator overrides. */
    public static ModelRegistry loadDefault() {
        return load(Optional.empty());
    }

    /** The shipped registry with the operator's override file, if one is named, applied last. */
    public static ModelRegistry load(Optional<Path> overrides) {
        List<JsonNode> roots = new ArrayList<>(List.of(shippedLayer(IMPORTED_RESOURCE), shippedLayer(OWN_RESOURCE)));
        List<String> names = new ArrayList<>(List.of(IMPORTED_RESOURCE, OWN_RESOURCE));
        overrides.ifPresent(path -> {
            roots.add(file(path));
            names.add(path.toString());
        });
        return load(roots, names);
    }

    /**
     * The registry a service runs with: the shipped layers plus the override file named by
     * {@link #OVERRIDE_FILE_KEY} (null: none). A bad file is a configuration problem of
     * {@code component}, every bad entry named.
     */
    public static ModelRegistry loadConfigured(Path overrideFile, String component) {
        try {
            return load(Optional.ofNullable(overrideFile));
        } catch (RegistryException e) {
            throw new ConfigException(component, e.problems().stream()
                    .map(problem -> OVERRIDE_FILE_KEY + " (" + overrideFile + "): " + problem).toList());
        }
    }

    /** Loads from already-read layers (tests and the price import's diff). */
    public static ModelRegistry load(List<JsonNode> layerRoots, List<String> names) {
        List<String> problems = new ArrayList<>();
        List<RegistryLayer> layers = new ArrayList<>();
        for (int i = 0; i < layerRoots.size(); i++) {
            layers.add(RegistryLayer.parse(names.get(i), layerRoots.get(i), problems));
        }
        if (!problems.isEmpty()) {
            throw new RegistryException(String.join(" + ", names), problems);
        }
        return RegistryMerge.merge(layers);
    }

    public static JsonNode readJson(InputStream in, String name) {
        try {
            return Json.mapper().reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(in);
        } catch (IOException e) {
            throw new RegistryException(name, List.of("malformed JSON: " + e.getMessage()));
        }
    }

    /** One of the shipped layers ({@link #IMPORTED_RESOURCE}, {@link #OWN_RESOURCE}) as read from the classpath. */
    public static JsonNode shippedLayer(String name) {
        try (InputStream in = ModelRegistry.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new RegistryException(name, List.of("resource not found on the classpath"));
            }
            return readJson(in, name);
        } catch (IOException e) {
            throw new RegistryException(name, List.of("cannot read: " + e.getMessage()));
        }
    }

    private static JsonNode file(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new RegistryException(path.toString(), List.of("file not found (named by the model registry override setting)"));
        }
        try (InputStream in = Files.newInputStream(path)) {
            return readJson(in, path.toString());
        } catch (IOException e) {
            throw new RegistryException(path.toString(), List.of("cannot read: " + e.getMessage()));
        }
    }

    /** Names the layers and their sources, e.g. for the start-up log and the prices table. */
    public String version() {
        return version;
    }

    /** The model {@code modelId} names at {@code provider}: its own id, or an alias or snapshot of it. */
    public Optional<ModelInfo> find(Provider provider, String modelId) {
        if (modelId == null) {
            return Optional.empty();
        }
        Map<String, Optional<ModelInfo>> remembered = found.get(provider);
        Optional<ModelInfo> hit = remembered.get(modelId);
        if (hit != null) {
            return hit;
        }
        Optional<ModelInfo> result = search(provider, modelId);
        if (remembered.size() < MAX_REMEMBERED_IDS) {
            remembered.put(modelId, result);
        }
        return result;
    }

    /** Exact id first; otherwise the most specific (longest id) model whose match rule accepts it. */
    private Optional<ModelInfo> search(Provider provider, String modelId) {
        List<ModelInfo> candidates = models.getOrDefault(provider, List.of());
        for (ModelInfo m : candidates) {
            if (m.id().equalsIgnoreCase(modelId)) {
                return Optional.of(m);
            }
        }
        return candidates.stream().filter(m -> m.names(modelId))
                .max(Comparator.comparingInt((ModelInfo m) -> m.id().length()).thenComparing(ModelInfo::id));
    }

    public boolean knows(Provider provider, String modelId) {
        return find(provider, modelId).isPresent();
    }

    /** The ids of one provider's models, sorted. */
    public SortedSet<String> models(Provider provider) {
        TreeSet<String> ids = new TreeSet<>();
        models.getOrDefault(provider, List.of()).forEach(m -> ids.add(m.id()));
        return ids;
    }

    public List<ModelInfo> all() {
        return models.values().stream().flatMap(List::stream).toList();
    }

    /** Every price row of every model, for the prices table. */
    public List<PriceEntry> entries() {
        return all().stream().flatMap(m -> m.prices().stream()).toList();
    }

    /** The row in force for {@code modelId} at {@code at}. */
    public Optional<PriceEntry> priceAt(Provider provider, String modelId, Instant at) {
        return find(provider, modelId).flatMap(m -> m.priceAt(at));
    }

    /** Up to {@code limit} known ids nearest to {@code modelId} by edit distance, nearest first. */
    public List<String> closest(Provider provider, String modelId, int limit) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        String wanted = modelId.toLowerCase(Locale.ROOT);
        return models(provider).stream()
                .sorted(Comparator.comparingInt((String id) -> distance.apply(wanted, id)).thenComparing(id -> id))
                .limit(limit)
                .toList();
    }

    static Map<Provider, List<ModelInfo>> byProvider(List<ModelInfo> all) {
        Map<Provider, List<ModelInfo>> out = new EnumMap<>(Provider.class);
        for (ModelInfo m : all) {
            out.computeIfAbsent(m.provider(), p -> new ArrayList<>()).add(m);
        }
        out.replaceAll((p, list) -> list.stream().sorted(Comparator.comparing(ModelInfo::id)).toList());
        return out;
    }
}
