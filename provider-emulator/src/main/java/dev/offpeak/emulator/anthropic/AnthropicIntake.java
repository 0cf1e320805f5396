package dev.offpeak.emulator.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.ModelCatalog;
import java.io.BufferedWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an Anthropic create body (up to 256 MB) as a stream: each element of {@code requests} is
 * parsed on its own, checked ({@code custom_id} rules are synchronous 400s), and appended to a spool
 * file, so the heap holds one request at a time. {@code params} problems are only noted; they come
 * back later as {@code errored} results, as the real API does.
 *
 * @param spool one {@code {"custom_id","params"}} line per request
 */
public record AnthropicIntake(Path spool, int count, long promptTokens, BitSet badParams) {
    public static final long MAX_BODY = 256L * 1024 * 1024;
    public static final int MAX_REQUESTS = 100_000;
    private static final Pattern CUSTOM_ID = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");

    public static AnthropicIntake read(InputStream body, Path spool, ModelCatalog models) throws IOException {
        try (JsonParser p = Json.MAPPER.createParser(new Limited(body, MAX_BODY));
             BufferedWriter out = Files.newBufferedWriter(spool, StandardCharsets.UTF_8)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ApiException(400, "The request body must be a JSON object.");
            }
            AnthropicIntake result = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("requests".equals(field)) {
                    result = requests(p, out, spool, models);
                } else {
                    p.skipChildren();
                }
            }
            if (result == null) {
                throw new ApiException(400, "requests: Field required");
            }
            return result;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiException(400, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static AnthropicIntake requests(JsonParser p, BufferedWriter out, Path spool, ModelCatalog models)
            throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new ApiException(400, "requests: Input should be a valid list");
        }
        Set<String> ids = new HashSet<>();
        BitSet bad = new BitSet();
        long tokens = 0;
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            JsonNode req = p.readValueAsTree();
            if (!req.isObject()) {
                throw new ApiException(400, "requests." + i + ": Input should be a valid dictionary");
            }
            JsonNode cid = req.get("custom_id");
            if (cid == null || cid.isNull()) {
                throw new ApiException(400, "requests." + i + ".custom_id: Field required");
            }
            String id = cid.asText();
            if (id.length() > 64) {
                throw new ApiException(400, "requests." + i + ".custom_id: String should have at most 64 characters");
            }
            if (!cid.isTextual() || !CUSTOM_ID.matcher(id).matches()) {
                throw new ApiException(400, "requests." + i
                        + ".custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
            }
            if (!ids.add(id)) {
                throw new ApiException(400, "requests: custom_id's must be unique within a batch. "
                        + "Duplicate custom_id found: " + id);
            }
            JsonNode params = req.get("params");
            if (params == null || !params.isObject()) {
                throw new ApiException(400, "requests." + i + ".params: Field required");
            }
            if (AnthropicAnswers.error(params, models) != null) {
                bad.set(i);
            }
            tokens += AnthropicAnswers.promptTokens(params);
            ObjectNode line = Json.object();
            line.put("custom_id", id);
            line.set("params", params);
            out.write(Json.write(line));
            out.write('\n');
            i++;
            if (i > MAX_REQUESTS) {
                throw new ApiException(400, "requests: List should have at most 100000 items after validation");
            }
        }
        if (i == 0) {
            throw new ApiException(400, "requests: List should have at least 1 item after validation, not 0");
        }
        return new AnthropicIntake(spool, i, tokens, bad);
    }

    /** Stops reading past the limit with the 413 Anthropic's edge sends. */
    private static final class Limited extends FilterInputStream {
        private final long max;
        private long seen;

        Limited(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count(Math.max(n, 0));
            return n;
        }

        private void count(int n) {
            seen += n;
            if (seen > max) {
                throw tooLarge();
            }
        }
    }

    static ApiException tooLarge() {
        return new ApiException(413, "Request exceeds the maximum allowed number of bytes.", null, "request_too_large");
    }
}
