package dev.offpeak.emulator.anthropic;

import dev.offpeak.emulator.RequestRulesCheck;
import dev.offpeak.schemas.validation.Problem;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broken request rule as Anthropic answers it in an {@code errored} result: an
 * {@code invalid_request_error} whose message starts with the field in pydantic's location form
 * ({@code messages.1.role: ...}), with pydantic's wording for the kinds of rule it has one for
 * (missing field, bounds, list length, literal values, types). The exact sentences are [unconfirmed]
 * per rule (see the module README); the location form is the API's.
 */
final class AnthropicRuleErrors {
    private static final Pattern BOUND = Pattern.compile("must be (>=|<=) (-?[0-9.]+)");
    private static final Pattern MIN_ITEMS = Pattern.compile("must have at least (\\d+) item\\(s\\)");
    private static final Pattern SIMPLE_TYPE = Pattern.compile("must be an? (string|integer|number|boolean|array|object)");

    private AnthropicRuleErrors() {
    }

    static String message(Problem problem) {
        String m = problem.message();
        String said;
        Matcher bound = BOUND.matcher(m);
        Matcher minItems = MIN_ITEMS.matcher(m);
        Matcher type = SIMPLE_TYPE.matcher(m);
        if ("required".equals(m)) {
            said = "Field required";
        } else if (bound.matches()) {
            said = "Input should be " + (">=".equals(bound.group(1)) ? "greater" : "less") + " than or equal to "
                    + bound.group(2);
        } else if (minItems.matches()) {
            said = "List should have at least " + minItems.group(1) + " item after validation";
        } else if (m.startsWith("must be one of ")) {
            List<String> values = List.of(m.substring("must be one of ".length()).split(", "));
            said = "Input should be " + literals(values);
        } else if (type.matches()) {
            said = "Input should be a valid " + ("array".equals(type.group(1)) ? "list"
                    : "object".equals(type.group(1)) ? "dictionary" : type.group(1));
        } else if ("stream".equals(problem.field())) {
            said = "Streaming is not supported in the Message Batches API";
        } else {
            said = m;
        }
        return Problem.ROOT.equals(problem.field()) ? said
                : RequestRulesCheck.dottedIndexes(problem.field()) + ": " + said;
    }

    /** pydantic's list of literals: {@code 'a', 'b' or 'c'}. */
    private static String literals(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(i == values.size() - 1 ? " or " : ", ");
            }
            out.append('\'').append(values.get(i)).append('\'');
        }
        return out.toString();
    }
}
