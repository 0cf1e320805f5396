package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.offpeak.schemas.json.EventTypes;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Validates JSON against the event schemas (draft 2020-12, formats asserted) and turns the
 * library's errors into {@link Problem}s that name the field in dotted form. The schemas are read
 * once; validation is thread-safe. A schema with conditional rules in its {@code allOf} (as
 * {@code task.submitted} has, per provider and endpoint) is validated through a
 * {@link ConditionalSchema}, which decides those rules in code with the same outcome.
 */
public final class SchemaValidator {
    private static final SchemaValidator INSTANCE = new SchemaValidator();

    /** The schemas validated whole: those without conditional rules. */
    private final Map<EventTypes, Schema> schemas = new EnumMap<>(EventTypes.class);
    private final Map<EventTypes, JsonNode> schemaDocuments = new EnumMap<>(EventTypes.class);
    private final Map<EventTypes, ConditionalSchema> conditionalSchemas = new EnumMap<>(EventTypes.class);

    private SchemaValidator() {
        SchemaRegistry registry = registry();
        for (EventTypes type : EventTypes.values()) {
            try (InputStream in = SchemaValidator.class.getResourceAsStream(type.schemaResource())) {
                if (in == null) {
                    throw new IllegalStateException("missing schema resource " + type.schemaResource());
                }
                JsonNode document = Json.mapper().readTree(in);
                schemaDocuments.put(type, document);
                ConditionalSchema.of(document, registry::getSchema).ifPresentOrElse(
                        conditional -> conditionalSchemas.put(type, conditional),
                        () -> schemas.put(type, registry.getSchema(document)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + type.schemaResource(), e);
            }
        }
    }

    /**
     * How every schema is compiled: draft 2020-12, with {@code format} asserted, and a {@code $ref} to
     * another of Offpeak's schemas ({@code https://offpeak.dev/schemas/...}, as the request schemas
     * under {@code requests/} are referenced from {@code task.submitted}) read from the classpath,
     * never fetched. Each referenced schema is compiled once and shared by every schema using it.
     */
    static SchemaRegistry registry() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(config).schemaLoader(loader -> loader
                        .schemaIdResolvers(ids -> ids.mapPrefix(SCHEMA_ID_PREFIX, "classpath:schemas/"))));
    }

    /** The {@code $id} prefix of every Offpeak schema. */
    static final String SCHEMA_ID_PREFIX = "https://offpeak.dev/schemas/";

    public static SchemaValidator get() {
        return INSTANCE;
    }

    /** The schema document itself (for its examples, and for tests). */
    public JsonNode schemaDocument(EventTypes type) {
        return schemaDocuments.get(type);
    }

    /** Every structural problem of {@code instance} against the schema of {@code type}; empty if valid. */
    public List<Problem> validate(EventTypes type, JsonNode instance) {
        ConditionalSchema conditional = conditionalSchemas.get(type);
        return problems(conditional != null ? conditional.validate(instance) : schemas.get(type).validate(instance));
    }

    /** Whether {@code type}'s schema is validated with its conditional rules decided in code. */
    boolean decidesRulesInCode(EventTypes type) {
        return conditionalSchemas.containsKey(type);
    }

    /** The library's errors as problems, each once, in the library's order. */
    static List<Problem> problems(List<Error> errors) {
        Set<Problem> problems = new LinkedHashSet<>();
        for (Error error : errors) {
            problems.add(toProblem(error));
        }
        return new ArrayList<>(problems);
    }

    private static Problem toProblem(Error error) {
        String location = dotted(error.getInstanceLocation());
        String keyword = error.getKeyword() == null ? "" : error.getKeyword();
        return switch (keyword) {
            case "required" -> new Problem(join(location, error.getProperty()), "required");
            case "additionalProperties", "unevaluatedProperties" ->
                    new Problem(join(location, error.getProperty()), "unknown field");
            case "type" -> new Problem(location, "must be " + expectedType(error));
            case "const" -> new Problem(location, "must be " + error.getSchemaNode());
            case "enum" -> new Problem(location, "must be one of " + enumValues(error.getSchemaNode()));
            case "pattern" -> new Problem(location, PATTERN_MEANINGS.getOrDefault(location, "must match")
                    + " " + error.getSchemaNode().asText());
            case "minLength" -> new Problem(location, error.getSchemaNode().asInt() == 1 ? "must not be empty"
                    : "must not be shorter than " + error.getSchemaNode() + " characters");
            case "maxLength" -> new Problem(location, "must not be longer than " + error.getSchemaNode() + " characters");
            case "minItems" -> new Problem(location, "must have at least " + error.getSchemaNode() + " item(s)");
            case "maxItems" -> new Problem(location, "must have at most " + error.getSchemaNode() + " item(s)");
            case "maxProperties" -> new Problem(location, "must have at most " + error.getSchemaNode() + " entries");
            case "minimum" -> new Problem(location, "must be >= " + error.getSchemaNode());
            case "maximum" -> new Problem(location, "must be <= " + error.getSchemaNode());
            case "exclusiveMinimum" -> new Problem(location, "must be > " + error.getSchemaNode());
            case "exclusiveMaximum" -> new Problem(location, "must be < " + error.getSchemaNode());
            case "format" -> new Problem(location, "must be an RFC 3339 " + error.getSchemaNode().asText()
                    + " such as 2026-11-23T02:00:00Z");
            default -> new Problem(location, stripLocation(error.getMessage()));
        };
    }

    /** "an integer"; for a list of types, "a string, an array or null". */
    private static String expectedType(Error error) {
        JsonNode schemaNode = error.getSchemaNode();
        if (schemaNode.isTextual()) {
            return article(schemaNode.asText());
        }
        if (schemaNode.isArray() && !schemaNode.isEmpty()) {
            List<String> types = StreamSupport.stream(schemaNode.spliterator(), false)
                    .map(t -> "null".equals(t.asText()) ? "null" : article(t.asText())).toList();
            return types.size() == 1 ? types.getFirst()
                    : String.join(", ", types.subList(0, types.size() - 1)) + " or " + types.getLast();
        }
        return schemaNode.toString();
    }

    /** What a pattern means, for the fields whose pattern a producer meets most. */
    private static final Map<String, String> PATTERN_MEANINGS = Map.of(
            "task_id", "may hold only letters, digits and . _ : - (no /, no spaces), starting with a letter or digit:",
            "job_id", "may hold only letters, digits and . _ : - (no /, no spaces), starting with a letter or digit:");

    private static String article(String type) {
        return switch (type) {
            case "object", "array", "integer" -> "an " + type;
            default -> "a " + type;
        };
    }

    private static String enumValues(JsonNode values) {
        if (!values.isArray()) {
            return values.toString();
        }
        return StreamSupport.stream(values.spliterator(), false).map(JsonNode::asText)
                .collect(Collectors.joining(", "));
    }

    /**
     * The instance location in dotted form, from its elements, so an object key that is a number
     * (a logit_bias token id) stays a key ({@code request.logit_bias.50256}) and an array index
     * stays an index ({@code request.messages[0].role}); root → "$".
     */
    static String dotted(NodePath location) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                path.append('[').append(index).append(']');
            } else {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(element);
            }
        }
        return path.isEmpty() ? Problem.ROOT : path.toString();
    }

    private static String join(String location, String property) {
        if (property == null || property.isEmpty()) {
            return location;
        }
        return Problem.ROOT.equals(location) ? property : location + "." + property;
    }

    private static String stripLocation(String message) {
        int colon = message.indexOf(": ");
        return message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
    }
}
