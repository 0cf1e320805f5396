package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.api.Encoding;

import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.TokenCounter;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/**
 * OpenAI's input-file validation, done in one streamed pass at create: every line must be JSON with
 * a unique {@code custom_id}, {@code method} POST, {@code url} equal to the batch endpoint and one
 * model for the whole file; at most 50,000 lines and 200 MB. Violations become {@code errors.data}
 * (with 1-based {@code line}) of a failed batch, never an HTTP error. The same pass counts prompt
 * tokens for the enqueued-token quota and notes lines the endpoint would answer with an HTTP error (bad
 * parameters, unknown model, over the model's limits); those come back per line in the error file.
 *
 * @param errors BatchError objects; empty when the file is valid
 */
public record OpenAiInputScan(int lines, String model, long promptTokens, BitSet httpFailures, ArrayNode errors) {
    public static final int MAX_LINES = 50_000;
    public static final long MAX_BYTES = 200L * 1024 * 1024;
    private static final int MAX_REPORTED_ERRORS = 1000;

    public static OpenAiInputScan scan(Path file, String endpoint, TokenCounter tokens, ModelCatalog models)
            throws IOException {
        ArrayNode errors = Json.array();
        if (Files.size(file) > MAX_BYTES) {
            errors.add(error("file_too_large", "The input file is larger than the 200 MB maximum for batches.", null, null));
            return new OpenAiInputScan(0, null, 0, new BitSet(), errors);
        }
        Set<String> ids = new HashSet<>();
        BitSet httpFailures = new BitSet();
        String model = null;
        Encoding encoding = null;
        long promptTokens = 0;
        int lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String raw;
            while ((raw = in.readLine()) != null) {
                if (raw.isBlank()) {
                    continue;
                }
                lineNo++;
                if (lineNo > MAX_LINES) {
                    continue;
                }
                JsonNode line;
                try {
                    line = Json.parse(raw);
                } catch (IOException e) {
                    add(errors, error("invalid_json_line", "This line is not parseable as valid JSON.", null, lineNo));
                    continue;
                }
                String problem = lineProblem(line, endpoint, ids);
                if (problem != null) {
                    String[] p = problem.split("\\|", 3);
                    add(errors, error(p[0], p[2], p[1].isEmpty() ? null : p[1], lineNo));
                    continue;
                }
                JsonNode body = line.get("body");
                String lineModel = body.get("model").asText();
                if (model == null) {
                    model = lineModel;
                    encoding = tokens.openAiEncoding(model);
                } else if (!model.equals(lineModel)) {
                    add(errors, error("mismatched_model", "Each batch must contain requests for a single model. "
                            + "Found '" + lineModel + "' where '" + model + "' was expected.", "body.model", lineNo));
                    continue;
                }
                int count = OpenAiPrompt.of(endpoint, body).count(tokens, encoding);
                promptTokens += count;
                Encoding lineEncoding = encoding;
                if (OpenAiAnswers.lineError(models, endpoint, body, count, text -> tokens.count(lineEncoding, text))
                        != null) {
                    httpFailures.set(lineNo - 1);
                }
            }
        }
        if (lineNo > MAX_LINES) {
            errors.insert(0, error("request_limit_exceeded", "The input file contains " + lineNo
                    + " requests; a batch may contain at most 50,000 requests.", null, null));
        }
        if (lineNo == 0) {
            add(errors, error("empty_file", "The input file contains no requests.", null, null));
        }
        return new OpenAiInputScan(lineNo, model, promptTokens, httpFailures, errors);
    }

    /** "code|param|message" for the first rule the line breaks, or null. */
    private static String lineProblem(JsonNode line, String endpoint, Set<String> ids) {
        if (!line.isObject()) {
            return "invalid_request||Each line must be a JSON object.";
        }
        JsonNode cid = line.get("custom_id");
        if (cid == null || !cid.isTextual() || cid.asText().isEmpty()) {
            return "missing_required_parameter|custom_id|Missing required parameter: 'custom_id'.";
        }
        if (!"POST".equals(line.path("method").asText())) {
            return "invalid_method|method|The method for each request must be 'POST'.";
        }
        if (!endpoint.equals(line.path("url").asText())) {
            return "invalid_url|url|The URL provided for this request does not match the batch endpoint '"
                    + endpoint + "'.";
        }
        JsonNode body = line.get("body");
        if (body == null || !body.isObject()) {
            return "missing_required_parameter|body|Missing required parameter: 'body'.";
        }
        if (!body.path("model").isTextual()) {
            return "missing_required_parameter|body.model|Missing required parameter: 'body.model'.";
        }
        if (!ids.add(cid.asText())) {
            return "duplicate_custom_id|custom_id|The custom_id for this request is a duplicate of another request. "
                    + "The custom_id parameter must be unique for each request in a batch.";
        }
        return null;
    }

    private static void add(ArrayNode errors, ObjectNode e) {
        if (errors.size() < MAX_REPORTED_ERRORS) {
            errors.add(e);
        }
    }

    static ObjectNode error(String code, String message, String param, Integer line) {
        ObjectNode e = Json.object();
        e.put("code", code);
        e.put("message", message);
        e.put("param", param);
        if (line == null) {
            e.putNull("line");
        } else {
            e.put("line", line);
        }
        return e;
    }
}
