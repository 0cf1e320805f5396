package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A schema whose top-level {@code allOf} holds conditional rules of the form
 * <pre>{"if": {"properties": {"&lt;field&gt;": {"const": "&lt;text&gt;"}}, "required": ["&lt;field&gt;"]}, "then": {...}}</pre>
 * validated with each rule's condition decided in code. {@code task.submitted} says this way which
 * endpoints each provider has and which request fields each endpoint needs: nine rules, of which a
 * task meets at most two. The library evaluates every {@code if} on every instance and builds (and
 * throws away) an error for each one that fails, which cost more than all the rest of the schema.
 *
 * <p>Here the instance's field values pick the rules it meets, and it is validated against the
 * schema with exactly those rules, each reduced to its {@code then}, and the others left out. That
 * is what the whole schema means, so the problems are the same, in the same order (the rules keep
 * their place in {@code allOf}); {@code SchemaDispatchTest} checks this over many valid and invalid
 * tasks. An instance that is not an object meets every rule, as in JSON Schema ({@code properties}
 * and {@code required} hold for non-objects). {@code allOf} entries of any other form are kept as
 * they are, in every combination.
 *
 * <p>Each combination of rules that an instance can meet (per field: no rule's value, or one of
 * them) is compiled once, here, so validation only looks a schema up.
 */
final class ConditionalSchema {
    /** The rules on one field: for each value, the bits of the rules that value meets. */
    private record FieldRules(String field, Map<String, Long> rulesByValue) {}

    private final List<FieldRules> fields;
    private final long everyRule;
    private final Map<Long, Schema> schemasByRules;

    private ConditionalSchema(List<FieldRules> fields, long everyRule, Map<Long, Schema> schemasByRules) {
        this.fields = fields;
        this.everyRule = everyRule;
        this.schemasByRules = schemasByRules;
    }

    /**
     * The document with its conditional rules decided in code, or empty when it has none (then it
     * is best validated whole). {@code compile} turns a schema document into a schema.
     */
    static Optional<ConditionalSchema> of(JsonNode document, Function<JsonNode, Schema> compile) {
        JsonNode allOf = document.get("allOf");
        if (allOf == null || !allOf.isArray()) {
            return Optional.empty();
        }
        Map<String, Map<String, Long>> rulesByField = new LinkedHashMap<>();
        Map<Integer, Long> bitByEntry = new HashMap<>();
        for (int i = 0; i < allOf.size() && bitByEntry.size() < Long.SIZE; i++) {
            Optional<Map.Entry<String, String>> condition = condition(allOf.get(i));
            if (condition.isPresent()) {
                long bit = 1L << bitByEntry.size();
                bitByEntry.put(i, bit);
                rulesByField.computeIfAbsent(condition.get().getKey(), f -> new LinkedHashMap<>())
                        .merge(condition.get().getValue(), bit, (a, b) -> a | b);
            }
        }
        if (bitByEntry.isEmpty()) {
            return Optional.empty();
        }
        List<FieldRules> fields = rulesByField.entrySet().stream()
                .map(e -> new FieldRules(e.getKey(), Map.copyOf(e.getValue()))).toList();
        long everyRule = bitByEntry.values().stream().reduce(0L, (a, b) -> a | b);
        List<Long> combinations = new ArrayList<>(List.of(0L));
        for (FieldRules field : fields) {
            List<Long> next = new ArrayList<>();
            for (long combination : combinations) {
                next.add(combination);
                field.rulesByValue().values().forEach(rules -> next.add(combination | rules));
            }
            combinations = next;
        }
        combinations.add(everyRule);
        Map<Long, Schema> schemas = new HashMap<>();
        for (long rules : combinations) {
            schemas.computeIfAbsent(rules, r -> compile.apply(withRules(document, bitByEntry, r)));
        }
        return Optional.of(new ConditionalSchema(fields, everyRule, Map.copyOf(schemas)));
    }

    /** The errors of the whole schema for {@code instance}. */
    List<Error> validate(JsonNode instance) {
        return schemasByRules.get(rulesMetBy(instance)).validate(instance);
    }

    private long rulesMetBy(JsonNode instance) {
        if (!instance.isObject()) {
            return everyRule;
        }
        long rules = 0;
        for (FieldRules field : fields) {
            JsonNode value = instance.get(field.field());
            if (value != null && value.isTextual()) {
                rules |= field.rulesByValue().getOrDefault(value.textValue(), 0L);
            }
        }
        return rules;
    }

    /** The rule's field and value if {@code entry} is {@code {"if": <field equals text>, "then": ...}}. */
    private static Optional<Map.Entry<String, String>> condition(JsonNode entry) {
        if (!entry.isObject() || entry.size() != 2 || !entry.has("then")) {
            return Optional.empty();
        }
        JsonNode test = entry.get("if");
        if (test == null || !test.isObject() || test.size() != 2) {
            return Optional.empty();
        }
        JsonNode properties = test.get("properties");
        JsonNode required = test.get("required");
        if (properties == null || !properties.isObject() || properties.size() != 1
                || required == null || !required.isArray() || required.size() != 1) {
            return Optional.empty();
        }
        String field = properties.fieldNames().next();
        JsonNode fieldSchema = properties.get(field);
        JsonNode value = fieldSchema.get("const");
        if (!field.equals(required.get(0).asText(null)) || fieldSchema.size() != 1 || value == null
                || !value.isTextual()) {
            return Optional.empty();
        }
        return Optional.of(Map.entry(field, value.textValue()));
    }

    /** The document with the rules in {@code rules} reduced to their {@code then}, the other rules left out. */
    private static JsonNode withRules(JsonNode document, Map<Integer, Long> bitByEntry, long rules) {
        ObjectNode copy = document.deepCopy();
        ArrayNode allOf = copy.putArray("allOf");
        JsonNode original = document.get("allOf");
        for (int i = 0; i < original.size(); i++) {
            Long bit = bitByEntry.get(i);
            if (bit == null) {
                allOf.add(original.get(i));
            } else if ((rules & bit) != 0) {
                allOf.add(original.get(i).get("then"));
            }
        }
        if (allOf.isEmpty()) {
            copy.remove("allOf");
        }
        return copy;
    }
}
