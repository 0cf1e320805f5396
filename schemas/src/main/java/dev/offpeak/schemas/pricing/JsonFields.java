package dev.offpeak.schemas.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the fields of one registry object, adding a problem that names the object and the field
 * for everything wrong, so a bad file reports every mistake at once.
 */
final class JsonFields {
    private final String name;
    private final JsonNode node;
    private final List<String> problems;

    JsonFields(String name, JsonNode node, List<String> problems) {
        this.name = name;
        this.node = node;
        this.problems = problems;
    }

    String name() {
        return name;
    }

    JsonNode node() {
        return node;
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    void fail(String field, String message) {
        problems.add(name + ": " + field + ": " + message);
    }

    String text(String field, boolean required) {
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

    LocalDate date(String field, boolean required) {
        String text = text(field, required);
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
    BigDecimal price(String field, boolean required) {
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

    /** A whole number >= {@code min}, or null when absent. */
    Long count(String field, long min) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < min) {
            fail(field, "must be a whole number >= " + min + ", was " + v);
            return null;
        }
        return v.asLong();
    }

    Boolean bool(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            fail(field, "must be true or false, was " + v);
            return null;
        }
        return v.asBoolean();
    }

    Set<String> strings(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        if (!v.isArray() || v.isEmpty()) {
            fail(field, "must be a non-empty array of strings");
            return null;
        }
        for (JsonNode item : v) {
            if (!item.isTextual() || item.asText().isBlank()) {
                fail(field, "must be a non-empty array of strings, found " + item);
                return null;
            }
            out.add(item.asText());
        }
        return out;
    }

    ModelMatch match(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : ModelMatch.parse(v, name + ": " + field, problems);
    }

    /** The objects of an array field, each with its own name {@code field[i]}. */
    List<JsonFields> objects(String field, boolean required) {
        JsonNode v = node.get(field);
        List<JsonFields> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            if (required) {
                fail(field, "required");
            }
            return out;
        }
        if (!v.isArray()) {
            fail(field, "must be an array");
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isObject()) {
                fail(field + "[" + i + "]", "must be an object");
            } else {
                out.add(new JsonFields(field + "[" + i + "]", v.get(i), problems));
            }
        }
        return out;
    }

    /** Every field not in {@code allowed} is a problem: a misspelt key must not be silently ignored. */
    void only(java.util.Set<String> allowed) {
        node.fieldNames().forEachRemaining(field -> {
            if (!allowed.contains(field)) {
                fail(field, "unknown field (known: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        });
    }

    JsonFields renamed(String newName) {
        return new JsonFields(newName, node, problems);
    }

    int problemCount() {
        return problems.size();
    }
}
