package dev.offpeak.emulator.gemini;

import dev.offpeak.schemas.validation.Problem;
import java.util.regex.Pattern;

/**
 * A broken request rule as Gemini answers it in a batch line's {@code google.rpc.Status}: code 400,
 * {@code INVALID_ARGUMENT}, and a message naming the field by its proto path in snake_case
 * ({@code * GenerateContentRequest.generation_config.max_output_tokens: ...}), whichever spelling the
 * request used, as the proto3 JSON parser accepts both. The form is the API's; the sentence after the
 * field is [unconfirmed] per rule (see the module README).
 */
final class GeminiRuleErrors {
    private static final Pattern UPPER = Pattern.compile("([a-z0-9])([A-Z])");

    private GeminiRuleErrors() {
    }

    /** What Google answers a request that sets cachedContent beside system_instruction, tools or tool_config. */
    static final String CACHED_CONTENT_MIX = "CachedContent can not be used with GenerateContent request setting "
            + "system_instruction, tools or tool_config. Proposed fix: move those values to CachedContent from "
            + "GenerateContent request.";

    static String message(Problem problem) {
        if (problem.message().startsWith("must be left out when cachedContent is set")
                || problem.message().startsWith("must be left out when cached_content is set")) {
            return CACHED_CONTENT_MIX;
        }
        if (Problem.ROOT.equals(problem.field())) {
            return "* GenerateContentRequest: " + problem.message() + "\n";
        }
        String path = snakeCase(problem.field());
        String last = path.substring(path.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
        String said = switch (problem.message()) {
            case "required" -> last + " is not specified";
            case "must be >= 1" -> last + " must be positive.";
            default -> problem.message();
        };
        return "* GenerateContentRequest." + path + ": " + said + "\n";
    }

    /** {@code generationConfig.maxOutputTokens} → {@code generation_config.max_output_tokens}. */
    static String snakeCase(String field) {
        return UPPER.matcher(field).replaceAll("$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
