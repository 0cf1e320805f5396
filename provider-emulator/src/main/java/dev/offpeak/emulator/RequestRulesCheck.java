package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.RequestValidator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request rules an emulated provider enforces on each batch line: the rules Offpeak wrote down
 * from the providers' API references ({@code schemas}' {@link RequestValidator}: the endpoint's request
 * schema and the rules between messages), as the model registry is its record of which models they
 * serve. A line that breaks one is answered with the first problem, in the provider's own error shape
 * (each provider package renders it), and is not billed. So a rule Offpeak's door missed still fails
 * here the way the provider fails, and {@code PreflightAgreementTest} runs the preflight corpus through
 * the emulator to show the door and the emulated provider give every case the same verdict.
 */
public final class RequestRulesCheck {
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

    private RequestRulesCheck() {
    }

    /** The first rule {@code body} (as the line carries it, {@code model} included) breaks, or empty. */
    public static Optional<Problem> firstProblem(Provider provider, String endpoint, JsonNode body) {
        List<Problem> problems = RequestValidator.get()
                .validate(dev.offpeak.schemas.events.Provider.valueOf(provider.name()), endpoint, body);
        return problems.isEmpty() ? Optional.empty() : Optional.of(problems.getFirst());
    }

    /** The value a problem's field names ({@code messages[1].role}), or a missing node. */
    public static JsonNode valueAt(JsonNode body, String field) {
        if (Problem.ROOT.equals(field)) {
            return body;
        }
        JsonNode node = body;
        for (String segment : field.split("\\.")) {
            int bracket = segment.indexOf('[');
            node = node.path(bracket < 0 ? segment : segment.substring(0, bracket));
            if (bracket >= 0) {
                Matcher index = INDEX.matcher(segment.substring(bracket));
                while (index.find()) {
                    node = node.path(Integer.parseInt(index.group(1)));
                }
            }
        }
        return node;
    }

    /** A field in the dotted-index form of pydantic locations, as Anthropic names them: {@code messages.1.role}. */
    public static String dottedIndexes(String field) {
        return INDEX.matcher(field).replaceAll(".$1");
    }

    /** The JSON type name of a value, in the words OpenAI's type errors use. */
    public static String typeName(JsonNode value) {
        if (value.isTextual()) {
            return "a string";
        }
        if (value.isIntegralNumber()) {
            return "an integer";
        }
        if (value.isNumber()) {
            return "a decimal";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        if (value.isArray()) {
            return "an array";
        }
        if (value.isObject()) {
            return "an object";
        }
        return "null";
    }
}
