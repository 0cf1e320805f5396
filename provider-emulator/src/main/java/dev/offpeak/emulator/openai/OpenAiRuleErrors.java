package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.RequestRulesCheck;
import dev.offpeak.schemas.validation.Problem;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A broken request rule as OpenAI answers it: HTTP 400, {@code invalid_request_error}, {@code param}
 * the field in OpenAI's own notation ({@code messages[1].role}, the same as Offpeak's), and the
 * message and {@code code} of the kind of rule: a missing parameter, a wrong type, a value outside an
 * enum, a number or a length out of range. The wordings follow the errors the API returns for these
 * kinds; each rule's exact sentence is [unconfirmed] (see the module README).
 */
final class OpenAiRuleErrors {
    private static final Pattern BOUND = Pattern.compile("must be (>=|<=) (-?[0-9.]+)");
    private static final Pattern ITEMS = Pattern.compile("must have at (least|most) (\\d+) item\\(s\\)");
    private static final Pattern LENGTH = Pattern.compile("must not be (shorter|longer) than (\\d+) characters");
    private static final Pattern TYPE = Pattern.compile(
            "must be (?:an? (?:string|integer|number|boolean|array|object)|null)(?:(?:, | or )(?:an? \\w+|null))*");

    private OpenAiRuleErrors() {
    }

    static ApiException of(JsonNode body, Problem problem) {
        String f = problem.field();
        String m = problem.message();
        JsonNode value = RequestRulesCheck.valueAt(body, f);
        if ("required".equals(m)) {
            return error("Missing required parameter: '" + f + "'.", f, "missing_required_parameter");
        }
        Matcher bound = BOUND.matcher(m);
        if (bound.matches() && value.isNumber()) {
            String kind = value.isIntegralNumber() ? "integer" : "decimal";
            boolean min = ">=".equals(bound.group(1));
            return error("Invalid '" + f + "': " + kind + (min ? " below minimum" : " above maximum") + " value. Expected a"
                    + " value " + bound.group(1) + " " + bound.group(2) + ", but got " + value + " instead.", f,
                    kind + (min ? "_below_min_value" : "_above_max_value"));
        }
        Matcher items = ITEMS.matcher(m);
        if (items.matches() && value.isArray()) {
            boolean min = "least".equals(items.group(1));
            if (min && value.isEmpty()) {
                return error("Invalid '" + f + "': empty array. Expected an array with minimum length "
                        + items.group(2) + ", but got an empty array instead.", f, "empty_array");
            }
            return error("Invalid '" + f + "': array too " + (min ? "short" : "long") + ". Expected an array with "
                    + (min ? "minimum" : "maximum") + " length " + items.group(2) + ", but got an array with length "
                    + value.size() + " instead.", f, min ? "array_below_min_length" : "array_above_max_length");
        }
        if ("must not be empty".equals(m) && value.isTextual()) {
            return error("Invalid '" + f + "': empty string. Expected a string with minimum length 1, but got an empty"
                    + " string instead.", f, "empty_string");
        }
        Matcher length = LENGTH.matcher(m);
        if (length.matches() && value.isTextual()) {
            boolean min = "shorter".equals(length.group(1));
            return error("Invalid '" + f + "': string too " + (min ? "short" : "long") + ". Expected a string with "
                    + (min ? "minimum" : "maximum") + " length " + length.group(2) + ", but got a string with length "
                    + value.textValue().length() + " instead.", f, min ? "string_below_min_length" : "string_above_max_length");
        }
        if (m.startsWith("must be one of ")) {
            String supported = Arrays.stream(m.substring("must be one of ".length()).split(", "))
                    .map(v -> "'" + v + "'").collect(Collectors.joining(", "));
            return error("Invalid value: '" + value.asText() + "'. Supported values are: " + supported + ".", f,
                    "invalid_value");
        }
        if (TYPE.matcher(m).matches()) {
            return error("Invalid type for '" + f + "': expected " + m.substring("must be ".length()) + ", but got "
                    + RequestRulesCheck.typeName(value) + " instead.", f, "invalid_type");
        }
        return error("Invalid '" + f + "': " + m + ".", Problem.ROOT.equals(f) ? null : f, "invalid_value");
    }

    private static ApiException error(String message, String param, String code) {
        return new ApiException(400, message, param, code);
    }
}
