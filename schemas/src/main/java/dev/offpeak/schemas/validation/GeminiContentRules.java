package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;

/**
 * The rules of Gemini {@code generateContent} that its request schema
 * ({@code gemini.generate-content.schema.json}) cannot say:
 * <ul>
 *   <li>a part holds one kind of data ({@code Part.data} is a proto oneof): a second one is refused,
 *       and so is a part with none;</li>
 *   <li>a field is given once: proto3 JSON takes {@code generationConfig} and {@code generation_config}
 *       alike, and a body giving both leaves unsaid which one counts;</li>
 *   <li>{@code thinkingLevel} is not set beside {@code thinkingBudget};</li>
 *   <li>{@code responseSchema} needs {@code responseMimeType} {@code application/json} or
 *       {@code text/x.enum}, {@code responseJsonSchema} needs a {@code responseMimeType}, and the two
 *       schemas are not set together; nor are a declaration's {@code parameters} and
 *       {@code parametersJsonSchema}, or {@code response} and {@code responseJsonSchema};</li>
 *   <li>at most one safety setting per harm category;</li>
 *   <li>with {@code cachedContent}, the request sets no {@code systemInstruction}, {@code tools} or
 *       {@code toolConfig} (the cache carries them);</li>
 *   <li>a {@code system} or {@code assistant} role, which the schema refuses as one not in its list, is
 *       named for what Gemini takes instead.</li>
 * </ul>
 * Every field is read under either spelling; a problem names the field as the request spells it.
 * Each rule reads only what the schema let through (objects, strings) and skips the rest, which the
 * schema reported. Stateless.
 */
final class GeminiContentRules {
    /** The members of {@code Part.data}, lowerCamelCase; toolCall and toolResponse are the SDK's newer ones. */
    private static final List<String> PART_DATA = List.of("text", "inlineData", "fileData", "functionCall",
            "functionResponse", "executableCode", "codeExecutionResult", "toolCall", "toolResponse");
    /** The other fields of a part: a part with only these holds no data. */
    private static final Set<String> PART_OTHER = Set.of("thought", "thoughtSignature", "videoMetadata",
            "mediaResolution", "partMetadata");
    private static final Set<String> SCHEMA_MIME_TYPES = Set.of("application/json", "text/x.enum");
    private static final Map<String, String> ROLE_HINTS = Map.of(
            "system", "must be user or model: Gemini takes the system prompt as the top-level field"
                    + " systemInstruction, not as a content",
            "assistant", "must be user or model: Gemini names the assistant's turns model",
            "function", "must be user or model: a functionResponse part goes in a user turn",
            "tool", "must be user or model: a functionResponse part goes in a user turn");

    private GeminiContentRules() {}

    /**
     * Adds the problems of {@code request} that the schema cannot find.
     *
     * @param at where the request sits, prefixed to every field named: {@code "request."} in a task,
     *           {@code ""} for a body on its own
     */
    static void check(JsonNode request, String at, List<Problem> problems) {
        once(request, at, problems);
        JsonNode contents = request.get("contents");
        if (contents != null && contents.isArray()) {
            nameRoles(contents, at, problems);
            for (int i = 0; i < contents.size(); i++) {
                content(contents.get(i), at + "contents[" + i + "].", true, problems);
            }
        }
        String system = key(request, "systemInstruction");
        if (system != null) {
            content(request.get(system), at + system + ".", false, problems);
        }
        String config = key(request, "generationConfig");
        if (config != null) {
            generationConfig(request.get(config), at + config + ".", problems);
        }
        String safety = key(request, "safetySettings");
        if (safety != null) {
            safetySettings(request.get(safety), at + safety, problems);
        }
        JsonNode tools = request.get("tools");
        for (int i = 0; tools != null && tools.isArray() && i < tools.size(); i++) {
            tool(tools.get(i), at + "tools[" + i + "].", problems);
        }
        String toolConfig = key(request, "toolConfig");
        if (toolConfig != null && request.get(toolConfig).isObject()) {
            JsonNode node = request.get(toolConfig);
            once(node, at + toolConfig + ".", problems);
            String calling = key(node, "functionCallingConfig");
            if (calling != null) {
                once(node.get(calling), at + toolConfig + "." + calling + ".", problems);
            }
        }
        cachedContent(request, at, problems);
    }

    /** A content's parts (a contents turn, or systemInstruction, whose parts the schema holds to text). */
    private static void content(JsonNode content, String at, boolean needsData, List<Problem> problems) {
        if (!content.isObject()) {
            return;
        }
        once(content, at, problems);
        JsonNode parts = content.get("parts");
        for (int p = 0; parts != null && parts.isArray() && p < parts.size(); p++) {
            part(parts.get(p), at + "parts[" + p + "]", needsData, problems);
        }
    }

    private static void part(JsonNode part, String at, boolean needsData, List<Problem> problems) {
        if (!part.isObject()) {
            return;
        }
        once(part, at + ".", problems);
        String first = null;
        boolean unknown = false;
        List<String> seen = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = part.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = camel(field.getKey());
            if (field.getValue().isNull() || seen.contains(name)) {
                continue; // null is "not set"; a second spelling is reported by once()
            }
            seen.add(name);
            if (PART_DATA.contains(name)) {
                if (first == null) {
                    first = field.getKey();
                } else {
                    problems.add(new Problem(at + "." + field.getKey(), "a part holds one kind of data and this one"
                            + " already has " + first + ": put " + field.getKey() + " in a part of its own"));
                }
            } else if (!PART_OTHER.contains(name)) {
                unknown = true;
            }
        }
        if (first == null && needsData && !unknown) {
            problems.add(new Problem(at, "holds no data: a part needs one of text, inlineData, fileData,"
                    + " functionCall, functionResponse, executableCode or codeExecutionResult"));
        }
        for (String message : List.of("inlineData", "fileData", "functionCall", "functionResponse",
                "executableCode", "codeExecutionResult", "videoMetadata")) {
            String key = key(part, message);
            if (key != null) {
                once(part.get(key), at + "." + key + ".", problems);
            }
        }
    }

    private static void generationConfig(JsonNode config, String at, List<Problem> problems) {
        if (!config.isObject()) {
            return;
        }
        once(config, at, problems);
        String thinking = key(config, "thinkingConfig");
        if (thinking != null && config.get(thinking).isObject()) {
            JsonNode node = config.get(thinking);
            once(node, at + thinking + ".", problems);
            String level = key(node, "thinkingLevel");
            String budget = key(node, "thinkingBudget");
            if (level != null && budget != null) {
                problems.add(new Problem(at + thinking + "." + level, "must be left out when " + budget
                        + " is set: Gemini takes one of thinkingLevel and thinkingBudget, not both"));
            }
        }
        String schema = key(config, "responseSchema");
        String jsonSchema = key(config, "responseJsonSchema");
        String mimeKey = key(config, "responseMimeType");
        JsonNode mime = mimeKey == null ? null : config.get(mimeKey);
        if (mime != null && !mime.isTextual()) {
            return; // the schema reported it
        }
        String mimeType = mime == null ? "" : mime.textValue();
        if (schema != null && jsonSchema != null) {
            problems.add(new Problem(at + jsonSchema, "must be left out when " + schema
                    + " is set: give the response schema once, in one of the two forms"));
        } else if (schema != null && !SCHEMA_MIME_TYPES.contains(mimeType)) {
            problems.add(new Problem(at + schema, "needs responseMimeType application/json or text/x.enum, was "
                    + (mimeType.isEmpty() ? "not set" : mimeType)));
        } else if (jsonSchema != null && mimeType.isEmpty()) {
            problems.add(new Problem(at + jsonSchema, "needs responseMimeType (application/json), was not set"));
        }
    }

    private static void safetySettings(JsonNode settings, String at, List<Problem> problems) {
        if (!settings.isArray()) {
            return;
        }
        Map<String, Integer> categories = new HashMap<>();
        for (int i = 0; i < settings.size(); i++) {
            JsonNode setting = settings.get(i);
            if (!setting.isObject()) {
                continue;
            }
            once(setting, at + "[" + i + "].", problems);
            JsonNode category = setting.get("category");
            if (category != null && category.isTextual()) {
                Integer earlier = categories.putIfAbsent(category.textValue(), i);
                if (earlier != null) {
                    problems.add(new Problem(at + "[" + i + "].category", "repeats the category of " + at + "["
                            + earlier + "]: at most one setting per harm category"));
                }
            }
        }
    }

    private static void tool(JsonNode tool, String at, List<Problem> problems) {
        if (!tool.isObject()) {
            return;
        }
        once(tool, at, problems);
        String declarations = key(tool, "functionDeclarations");
        JsonNode list = declarations == null ? null : tool.get(declarations);
        for (int d = 0; list != null && list.isArray() && d < list.size(); d++) {
            JsonNode declaration = list.get(d);
            if (!declaration.isObject()) {
                continue;
            }
            String here = at + declarations + "[" + d + "].";
            once(declaration, here, problems);
            exclusive(declaration, "parameters", "parametersJsonSchema", here, problems);
            exclusive(declaration, "response", "responseJsonSchema", here, problems);
        }
    }

    private static void exclusive(JsonNode node, String field, String jsonSchemaField, String at, List<Problem> problems) {
        String one = key(node, field);
        String other = key(node, jsonSchemaField);
        if (one != null && other != null) {
            problems.add(new Problem(at + other, "must be left out when " + one
                    + " is set: give the schema once, in one of the two forms"));
        }
    }

    private static void cachedContent(JsonNode request, String at, List<Problem> problems) {
        String cached = key(request, "cachedContent");
        if (cached == null || !request.get(cached).isTextual() || request.get(cached).textValue().isEmpty()) {
            return;
        }
        for (String field : List.of("systemInstruction", "tools", "toolConfig")) {
            String key = key(request, field);
            JsonNode value = key == null ? null : request.get(key);
            if (value != null && !(value.isArray() && value.isEmpty())) {
                problems.add(new Problem(at + key, "must be left out when " + cached + " is set: the cached content"
                        + " carries the system instruction, tools and tool config"));
            }
        }
    }

    /**
     * Refuses a field given under both spellings (generation_config beside generationConfig), naming the
     * snake_case one; a null under either spelling is "not set" and does not count.
     */
    private static void once(JsonNode node, String at, List<Problem> problems) {
        if (!node.isObject()) {
            return;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            String camel = camel(name);
            JsonNode other = camel.equals(name) ? null : node.get(camel);
            if (other != null && !other.isNull() && !node.get(name).isNull()) {
                problems.add(new Problem(at + name, "is also given as " + camel
                        + ": give each field once, under one of its two spellings"));
            }
        }
    }

    /** The schema refuses roles outside user and model; say where the usual ones go instead. */
    private static void nameRoles(JsonNode contents, String at, List<Problem> problems) {
        for (ListIterator<Problem> it = problems.listIterator(); it.hasNext(); ) {
            Problem problem = it.next();
            String field = problem.field();
            if (!field.startsWith(at + "contents[") || !field.endsWith("].role")) {
                continue;
            }
            String index = field.substring(at.length() + "contents[".length(), field.length() - "].role".length());
            if (!index.matches("\\d{1,9}")) {
                continue;
            }
            String hint = ROLE_HINTS.get(contents.path(Integer.parseInt(index)).path("role").asText(""));
            if (hint != null) {
                it.set(new Problem(field, hint));
            }
        }
    }

    /**
     * The key under which {@code node} gives the field {@code camel}: the lowerCamelCase name, else the
     * snake_case one; null when neither is set (absent or null, which proto3 JSON reads as not set).
     */
    static String key(JsonNode node, String camel) {
        if (!node.isObject()) {
            return null;
        }
        JsonNode value = node.get(camel);
        if (value != null && !value.isNull()) {
            return camel;
        }
        String snake = snake(camel);
        value = node.get(snake);
        return value != null && !value.isNull() ? snake : null;
    }

    /** inline_data → inlineData, as proto3 JSON names a field (an underscore drops, the next letter is upper case). */
    static String camel(String name) {
        if (name.indexOf('_') < 0) {
            return name;
        }
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                upper = out.length() > 0;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** inlineData → inline_data, the proto field name. */
    static String snake(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
