package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.EventTypes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The request rules of one provider endpoint applied to a request body on its own, as the provider
 * sees it: the endpoint's request schema, {@link RequestRules}, and no streaming in batch. Fields are
 * named relative to the body ({@code messages[1].role}). The provider emulator refuses lines with it,
 * so what the door lets through and what the emulated provider answers follow one set of rules.
 *
 * <p>Which endpoints a provider has and which request schema each endpoint takes is read from
 * {@code task.submitted} (its conditional rules), so that mapping is written once.
 */
public final class RequestValidator {
    private static final RequestValidator INSTANCE = new RequestValidator();

    private final Map<Provider, Set<String>> endpoints = new EnumMap<>(Provider.class);
    private final Map<String, Schema> requestSchemas = new HashMap<>();

    private RequestValidator() {
        JsonNode task = SchemaValidator.get().schemaDocument(EventTypes.TASK_SUBMITTED);
        SchemaRegistry registry = SchemaValidator.registry();
        for (JsonNode rule : task.path("allOf")) {
            JsonNode then = rule.path("then").path("properties");
            Optional<Provider> provider = Provider.find(rule.at("/if/properties/provider/const").asText(null));
            provider.ifPresent(p -> {
                Set<String> names = new LinkedHashSet<>();
                then.path("endpoint").path("enum").forEach(e -> names.add(e.asText()));
                endpoints.put(p, Set.copyOf(names));
            });
            String endpoint = rule.at("/if/properties/endpoint/const").asText(null);
            if (endpoint != null && then.has("request")) {
                ObjectNode schema = then.get("request").deepCopy();
                schema.put("$schema", task.path("$schema").asText());
                // an $id beside task.submitted's, so its relative $ref ("requests/...") resolves the same
                schema.put("$id", SchemaValidator.SCHEMA_ID_PREFIX + "request-of-" + endpoint.replace('/', '_'));
                requestSchemas.put(endpoint, registry.getSchema(schema));
            }
        }
    }

    public static RequestValidator get() {
        return INSTANCE;
    }

    /** The endpoints Offpeak takes tasks for at {@code provider}. */
    public Set<String> endpoints(Provider provider) {
        return endpoints.getOrDefault(provider, Set.of());
    }

    /**
     * Every problem of {@code request} under the rules of {@code provider}'s {@code endpoint}, each
     * naming its field relative to the body; an endpoint Offpeak does not take is one problem on
     * {@code $}.
     */
    public List<Problem> validate(Provider provider, String endpoint, JsonNode request) {
        Schema schema = requestSchemas.get(endpoint);
        if (schema == null || !endpoints(provider).contains(endpoint)) {
            return List.of(new Problem(Problem.ROOT, provider.id() + " has no endpoint " + endpoint
                    + " that Offpeak checks (it takes " + String.join(", ", endpoints(provider)) + ")"));
        }
        List<Problem> problems = new ArrayList<>(SchemaValidator.problems(schema.validate(request)));
        if (request.isObject()) {
            rules(endpoint, request, "", problems);
        }
        return problems;
    }

    /** The rules past the schema, for a request found at {@code at} ("request." in a task, "" alone). */
    static void rules(String endpoint, JsonNode request, String at, List<Problem> problems) {
        RequestRules.check(endpoint, request, at, problems);
        if (request.path("stream").asBoolean(false)) {
            problems.add(new Problem(at + "stream", "batch requests cannot stream"));
        }
    }
}
