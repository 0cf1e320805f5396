package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.ListIterator;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request rules of an endpoint that its JSON Schema (under {@code schemas/requests/}) cannot say,
 * because they relate one message to another:
 * <ul>
 *   <li>{@code /v1/chat/completions}: a {@code tool} message answers a call of an earlier assistant
 *       message, so its {@code tool_call_id} must be one of that message's {@code tool_calls} ids;</li>
 *   <li>{@code /v1/messages}: the first turn is a user turn; a {@code tool_result} block answers a
 *       {@code tool_use} block of the assistant turn right before it; and a {@code system} role, which
 *       the schema refuses as an unknown role, is named for what it is: the top-level field.</li>
 * </ul>
 * Each rule reads only what the schema already let through and skips what it reported, so a
 * malformed message is reported once. Stateless; the rules walk the messages once.
 */
final class RequestRules {
    private static final Pattern MESSAGE_ROLE = Pattern.compile("messages\\[(\\d{1,9})]\\.role");

    private RequestRules() {}

    /**
     * Adds the problems of {@code request} that its endpoint's schema cannot find.
     *
     * @param at where the request sits, prefixed to every field named: {@code "request."} in a task,
     *           {@code ""} for a body on its own (as a provider sees it)
     */
    static void check(String endpoint, JsonNode request, String at, List<Problem> problems) {
        switch (endpoint) {
            case "/v1/chat/completions" -> openAiToolAnswers(request.get("messages"), at, problems);
            case "/v1/messages" -> anthropicTurns(request.get("messages"), at, problems);
            default -> { }
        }
    }

    private static void openAiToolAnswers(JsonNode messages, String at, List<Problem> problems) {
        if (messages == null || !messages.isArray()) {
            return;
        }
        Set<String> open = new HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").asText("");
            if ("assistant".equals(role)) {
                open.clear();
                JsonNode calls = message.path("tool_calls");
                for (int c = 0; calls.isArray() && c < calls.size(); c++) {
                    open.add(calls.get(c).path("id").asText(""));
                }
            } else if ("tool".equals(role)) {
                JsonNode id = message.get("tool_call_id");
                if (id != null && id.isTextual() && !open.contains(id.textValue())) {
                    problems.add(new Problem(at + "messages[" + i + "].tool_call_id", "must name a tool call of an"
                            + " earlier assistant message (a tool message answers a call), was " + id));
                }
            } else if (!"system".equals(role) && !"developer".equals(role)) {
                open.clear();
            }
        }
    }

    private static void anthropicTurns(JsonNode messages, String at, List<Problem> problems) {
        if (messages == null || !messages.isArray()) {
            return;
        }
        nameSystemRoles(messages, at, problems);
        JsonNode first = messages.path(0).path("role");
        if ("assistant".equals(first.asText())) {
            problems.add(new Problem(at + "messages[0].role",
                    "must be user: the first turn is the user's (an assistant prefill comes after it)"));
        }
        Set<String> toolUses = Set.of();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").asText("");
            JsonNode content = message.path("content");
            if (!content.isArray()) {
                toolUses = Set.of();
                continue;
            }
            if ("assistant".equals(role)) {
                toolUses = new HashSet<>();
                for (JsonNode block : content) {
                    if ("tool_use".equals(block.path("type").asText())) {
                        toolUses.add(block.path("id").asText(""));
                    }
                }
                continue;
            }
            for (int b = 0; b < content.size(); b++) {
                JsonNode block = content.get(b);
                JsonNode id = block.get("tool_use_id");
                if ("tool_result".equals(block.path("type").asText()) && id != null && id.isTextual()
                        && !toolUses.contains(id.textValue())) {
                    problems.add(new Problem(at + "messages[" + i + "].content[" + b + "].tool_use_id",
                            "must name a tool_use block of the assistant turn right before, was " + id));
                }
            }
            toolUses = Set.of();
        }
    }

    /** The schema refuses role "system" as one not in its list; say where a system prompt goes instead. */
    private static void nameSystemRoles(JsonNode messages, String at, List<Problem> problems) {
        for (ListIterator<Problem> it = problems.listIterator(); it.hasNext(); ) {
            Problem problem = it.next();
            Matcher role = MESSAGE_ROLE.matcher(problem.field());
            if (problem.field().startsWith(at) && role.region(at.length(), problem.field().length()).matches() && "system".equals(messages.path(Integer.parseInt(role.group(1))).path("role").asText())) {
                it.set(new Problem(problem.field(), "must be user or assistant: Anthropic takes the system prompt as the"
                        + " top-level field request.system, not as a message"));
            }
        }
    }
}
