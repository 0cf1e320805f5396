package dev.offpeak.schemas.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The versioned price catalog, kept as data in {@code /prices/catalog.json}. Loading checks every
 * entry and reports all problems at once, each naming the entry; a malformed catalog never loads,
 * so no cost is ever computed from a half-read price list.
 */
public final class PriceCatalog {
    public static final String DEFAULT_RESOURCE = "/prices/catalog.json";

    private final String version;
    private final List<PriceEntry> entries;

    private PriceCatalog(String version, List<PriceEntry> entries) {
        this.version = version;
        this.entries = entries.stream()
                .sorted(Comparator.comparing(PriceEntry::provider).thenComparing(PriceEntry::model)
                        .thenComparing(PriceEntry::effectiveFrom))
                .toList();
    }

    /** The catalog shipped with Offpeak. */
    public static PriceCatalog loadDefault() {
        try (InputStream in = PriceCatalog.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new CatalogException(DEFAULT_RESOURCE, List.of("resource not found on the classpath"));
            }
            return load(in, DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new CatalogException(DEFAULT_RESOURCE, List.of("cannot read: " + e.getMessage()));
        }
    }

    public static PriceCatalog load(InputStream in, String sourceName) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new CatalogException(sourceName, List.of("malformed JSON: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new CatalogException(sourceName, List.of("must be a JSON object"));
        }
        String version = root.path("version").asText("");
        if (version.isBlank()) {
            problems.add("version: required");
        }
        JsonNode items = root.path("entries");
        if (!items.isArray() || items.isEmpty()) {
            problems.add("entries: must be a non-empty array");
            throw new CatalogException(sourceName, problems);
        }
        List<PriceEntry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            EntryReader reader = new EntryReader(i, items.get(i), problems);
            PriceEntry entry = reader.read();
            if (entry != null && !seen.add(entry.version())) {
                problems.add(reader.name() + ": duplicate of an earlier entry with the same effective_from");
            }
            if (entry != null) {
                entries.add(entry);
            }
        }
        if (!problems.isEmpty()) {
            throw new CatalogException(sourceName, problems);
        }
        return new PriceCatalog(version, entries);
    }

    public String version() {
        return version;
    }

    public List<PriceEntry> entries() {
        return entries;
    }

    public boolean knows(Provider provider, String model) {
        return entries.stream().anyMatch(e -> e.provider() == provider && e.model().equals(model));
    }

    /** The models of one provider, sorted. */
    public SortedSet<String> models(Provider provider) {
        TreeSet<String> models = new TreeSet<>();
        entries.stream().filter(e -> e.provider() == provider).forEach(e -> models.add(e.model()));
        return models;
    }

    /** The row in force at {@code at} (UTC date): the latest effective_from on or before it. */
    public Optional<PriceEntry> priceAt(Provider provider, String model, Instant at) {
        LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
        return entries.stream()
                .filter(e -> e.provider() == provider && e.model().equals(model))
                .filter(e -> !e.effectiveFrom().isAfter(day))
                .max(Comparator.comparing(PriceEntry::effectiveFrom));
    }

    /** Reads one entry, adding a problem naming the entry and field for everything wrong with it. */
    private static final class EntryReader {
        private final int index;
        private final JsonNode node;
        private final List<String> problems;
        private final int problemsBefore;

        EntryReader(int index, JsonNode node, List<String> problems) {
            this.index = index;
            this.node = node;
            this.problems = problems;
            this.problemsBefore = problems.size();
        }

        String name() {
            return "entries[" + index + "] (" + node.path("provider").asText("?") + "/" + node.path("model").asText("?") + ")";
        }

        PriceEntry read() {
            if (!node.isObject()) {
                problems.add("entries[" + index + "]: must be an object");
                return null;
            }
            Provider provider = Provider.find(node.path("provider").asText(null)).orElse(null);
            if (provider == null) {
                fail("provider", "must be one of openai, anthropic, gemini");
            }
            String model = text("model", true);
            LocalDate from = date("effective_from");
            BigDecimal input = price("input", true);
            BigDecimal cached = price("cached_input", false);
            BigDecimal write5m = price("cache_write_5m", false);
            BigDecimal write1h = price("cache_write_1h", false);
            BigDecimal output = price("output", true);
            BigDecimal multiplier = price("batch_multiplier", true);
            if (multiplier != null && (multiplier.signum() <= 0 || multiplier.compareTo(BigDecimal.ONE) > 0)) {
                fail("batch_multiplier", "must be in (0, 1], was " + multiplier);
            }
            BatchCachedInput rule = rule();
            text("source", true);
            if (problems.size() > problemsBefore) {
                return null;
            }
            return new PriceEntry(provider, model, from, input, cached, write5m, write1h, output, multiplier, rule,
                    node.get("source").asText());
        }

        private void fail(String field, String message) {
            problems.add(name() + ": " + field + ": " + message);
        }

        private String text(String field, boolean required) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                if (required) {
                    fail(field, "required");
                }
                return null;
            }
            if (!v.isTextual() || v.asText().isBlank()) {
                fail(field, "must be a non-empty string");
                return null;
            }
            return v.asText();
        }

        private LocalDate date(String field) {
            String text = text(field, true);
            if (text == null) {
                return null;
            }
            try {
                return LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                fail(field, "must be a date YYYY-MM-DD, was '" + text + "'");
                return null;
            }
        }

        /** Prices are decimal strings, never JSON numbers, so no binary float ever touches money. */
        private BigDecimal price(String field, boolean required) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                if (required) {
                    fail(field, "required");
                }
                return null;
            }
            if (!v.isTextual()) {
                fail(field, "must be a decimal string such as \"0.15\", was " + v);
                return null;
            }
            try {
                BigDecimal price = new BigDecimal(v.asText());
                if (price.signum() < 0) {
                    fail(field, "must be >= 0, was " + v.asText());
                    return null;
                }
                return price;
            } catch (NumberFormatException e) {
                fail(field, "must be a decimal string such as \"0.15\", was '" + v.asText() + "'");
                return null;
            }
        }

        private BatchCachedInput rule() {
            String text = text("batch_cached_input", true);
            if (text == null) {
                return null;
            }
            try {
                return BatchCachedInput.parse(text);
            } catch (IllegalArgumentException e) {
                fail("batch_cached_input", "must be one of multiplied, as_input, unmultiplied, was '" + text + "'");
                return null;
            }
        }
    }
}
