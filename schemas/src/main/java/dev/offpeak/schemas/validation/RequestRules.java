package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ListIterator;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request rules of an endpoint that its JSON Schema (under {@code schemas/requests/}) cannot say,
 * because they relate one message to another:
 * <ul>
 *   <li>{@code /v1/chat/completions}: a {@code tool} message answers a call of the assistant message
 *       before it, so its {@code tool_call_id} must be one of that message's {@code tool_calls} ids, and
 *       every call must be answered before the next user or assistant message (or the end);</li>
 *   <li>{@code /v1/messages}: the first turn is a user turn; a {@code tool_result} block answers a
 *       {@code tool_use} block of the assistant turn right before it, and the turn after a
 *       {@code tool_use} turn answers every one of them; {@code thinking.budget_tokens} is below
 *       {@code max_tokens}; and a {@code system} role, which the schema refuses as an unknown role, is
 *       named for what it is: the top-level field.</li>
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
            case "/v1/messages" -> {
                anthropicTurns(request.get("messages"), at, problems);
                thinkingBudget(request, at, problems);
            }
            case "/v1/responses", "/v1/completions" -> OpenAiRequestRules.check(endpoint, request, at, problems);
            case "generateContent" -> GeminiContentRules.check(request, at, problems);
            default -> { }
        }
    }

    private static void openAiToolAnswers(JsonNode messages, String at, List<Problem> problems) {
        if (messages == null || !messages.isArray()) {
            return;
        }
        Set<String> open = new LinkedHashSet<>();
        int caller = -1;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").asText("");
            if ("tool".equals(role)) {
                JsonNode id = message.get("tool_call_id");
                if (id != null && id.isTextual() && !open.remove(id.textValue())) {
                    problems.add(new Problem(at + "messages[" + i + "].tool_call_id", "must name a tool call of the"
                            + " assistant message before it that no other tool message answered, was " + id));
                }
            } else if (!"system".equals(role) && !"developer".equals(role)) {
                unansweredCalls(caller, open, at, problems);
                open.clear();
                caller = -1;
                JsonNode calls = message.path("tool_calls");
                if ("assistant".equals(role) && calls.isArray()) {
                    caller = i;
                    calls.forEach(call -> open.add(call.path("id").asText("")));
                }
            }
        }
        unansweredCalls(caller, open, at, problems);
    }

    /** OpenAI refuses an assistant message whose tool calls are not all answered by the tool messages after it. */
    private static void unansweredCalls(int caller, Set<String> open, String at, List<Problem> problems) {
        if (caller >= 0 && !open.isEmpty()) {
            problems.add(new Problem(at + "messages[" + caller + "].tool_calls", "every tool call must be answered by"
                    + " a tool message before the next user or assistant message; not answered: "
                    + String.join(", ", open)));
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
                unansweredToolUses(i - 1, toolUses, at, problems);
                toolUses = Set.of();
                continue;
            }
            if ("assistant".equals(role)) {
                unansweredToolUses(i - 1, toolUses, at, problems);
                toolUses = new LinkedHashSet<>();
                for (JsonNode block : content) {
                    if ("tool_use".equals(block.path("type").asText())) {
                        toolUses.add(block.path("id").asText(""));
                    }
                }
                continue;
            }
            Set<String> unanswered = new LinkedHashSet<>(toolUses);
            for (int b = 0; b < content.size(); b++) {
                JsonNode block = content.get(b);
                JsonNode id = block.get("tool_use_id");
                if ("tool_result".equals(block.path("type").asText()) && id != null && id.isTextual()
                        && !toolUses.contains(id.textValue())) {
                    problems.add(new Problem(at + "messages[" + i + "].content[" + b + "].tool_use_id",
                            "must name a tool_use block of the assistant turn right before, was " + id));
                }
                if (id != null && id.isTextual()) {
                    unanswered.remove(id.textValue());
                }
            }
            unansweredToolUses(i - 1, unanswered, at, problems);
            toolUses = Set.of();
        }
    }

    /** Anthropic refuses a turn after a tool_use turn that does not carry a tool_result for each of its tool_use ids. */
    private static void unansweredToolUses(int assistant, Set<String> unanswered, String at, List<Problem> problems) {
        if (!unanswered.isEmpty()) {
            problems.add(new Problem(at + "messages[" + assistant + "].content", "every tool_use block must be"
                    + " answered by a tool_result block in the next turn; not answered: " + String.join(", ", unanswered)));
        }
    }

    /** Anthropic: the thinking budget is part of max_tokens, so it must be smaller (no interleaved-thinking beta in batches). */
    private static void thinkingBudget(JsonNode request, String at, List<Problem> problems) {
        JsonNode budget = request.path("thinking").path("budget_tokens");
        JsonNode max = request.path("max_tokens");
        if ("enabled".equals(request.path("thinking").path("type").asText()) && budget.canConvertToLong()
                && budget.isIntegralNumber() && max.isIntegralNumber() && budget.asLong() >= max.asLong()) {
            problems.add(new Problem(at + "thinking.budget_tokens", "must be less than max_tokens (" + max.asLong()
                    + "): the thinking budget is spent out of max_tokens, was " + budget.asLong()));
        }
    }

    /** The schema refuses role "system" as one not in its list; say where a system prompt goes instead. */
    private static void nameSystemRoles(JsonNode messages, String at, List<Problem> problems) {
        for (ListIterator<Problem> it = problems.listIterator(); it.hasNext(); ) {
            Problem problem = it.next();
            Matcher role = MESSAGE_ROLE.matcher(problem.field());
            if (problem.field().startsWith(at) && role.region(at.length(), problem.field().length()).matches()
                    && "system".equals(messages.path(Integer.parseInt(role.group(1))).path("role").asText())) {
                it.set(new Problem(problem.field(), "must be user or assistant: Anthropic takes the system prompt as the"
                        + " top-level field " + at + "system, not as a message"));
            }
        }
    }
}
