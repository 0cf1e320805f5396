package dev.offpeak.schemas.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which model ids name a model: the match grammar of the genai-prices dataset ({@code equals},
 * {@code starts_with}, {@code ends_with}, {@code contains}, {@code regex}, {@code or}, {@code and}),
 * so imported rules keep their meaning. Text comparisons ignore case, as in that dataset; a regex is
 * applied as written.
 */
public final class ModelMatch {
    private final Predicate<String> test;
    private final JsonNode source;

    private ModelMatch(Predicate<String> test, JsonNode source) {
        this.test = test;
        this.source = source;
    }

    public boolean matches(String modelId) {
        return test.test(modelId);
    }

    /** The rule as it was written, for writing it back out. */
    public JsonNode json() {
        return source;
    }

    /**
     * Reads a rule; every malformed part is added to {@code problems} prefixed with {@code field},
     * and the result is then empty (matching nothing is never silently assumed).
     */
    public static ModelMatch parse(JsonNode node, String field, List<String> problems) {
        int before = problems.size();
        Predicate<String> test = predicate(node, field, problems);
        return problems.size() > before ? null : new ModelMatch(test, node);
    }

    private static Predicate<String> predicate(JsonNode node, String field, List<String> problems) {
        if (node == null || !node.isObject() || node.size() != 1) {
            problems.add(field + ": must be an object with exactly one of equals, starts_with, ends_with, "
                    + "contains, regex, or, and");
            return id -> false;
        }
        String op = node.fieldNames().next();
        JsonNode arg = node.get(op);
        return switch (op) {
            case "or", "and" -> combined(op, arg, field, problems);
            case "regex" -> regex(arg, field, problems);
            case "equals", "starts_with", "ends_with", "contains" -> text(op, arg, field, problems);
            default -> {
                problems.add(field + ": unknown match operator '" + op + "'");
                yield id -> false;
            }
        };
    }

    private static Predicate<String> combined(String op, JsonNode arg, String field, List<String> problems) {
        if (!arg.isArray() || arg.isEmpty()) {
            problems.add(field + "." + op + ": must be a non-empty array");
            return id -> false;
        }
        List<Predicate<String>> parts = new ArrayList<>();
        for (int i = 0; i < arg.size(); i++) {
            parts.add(predicate(arg.get(i), field + "." + op + "[" + i + "]", problems));
        }
        return "or".equals(op)
                ? id -> parts.stream().anyMatch(p -> p.test(id))
                : id -> parts.stream().allMatch(p -> p.test(id));
    }

    private static Predicate<String> regex(JsonNode arg, String field, List<String> problems) {
        if (!arg.isTextual()) {
            problems.add(field + ".regex: must be a string");
            return id -> false;
        }
        try {
            Pattern pattern = Pattern.compile(arg.asText());
            return id -> pattern.matcher(id).find();
        } catch (PatternSyntaxException e) {
            problems.add(field + ".regex: invalid pattern: " + e.getDescription());
            return id -> false;
        }
    }

    private static Predicate<String> text(String op, JsonNode arg, String field, List<String> problems) {
        if (!arg.isTextual() || arg.asText().isEmpty()) {
            problems.add(field + "." + op + ": must be a non-empty string");
            return id -> false;
        }
        String want = arg.asText().toLowerCase(Locale.ROOT);
        return switch (op) {
            case "equals" -> id -> id.toLowerCase(Locale.ROOT).equals(want);
            case "starts_with" -> id -> id.toLowerCase(Locale.ROOT).startsWith(want);
            case "ends_with" -> id -> id.toLowerCase(Locale.ROOT).endsWith(want);
            default -> id -> id.toLowerCase(Locale.ROOT).contains(want);
        };
    }
}
