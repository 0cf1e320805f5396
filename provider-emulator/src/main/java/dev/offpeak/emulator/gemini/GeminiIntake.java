package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.ModelCatalog;
import dev.offpeak.emulator.TokenCounter;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Turns a Gemini create request into the batch's input: inline {@code requests.requests[]} are
 * spooled to a JSONL file (one {@code {"metadata","request"}} per line); a file input is read in
 * place, streamed line by line ({@code {"key","request"}}). Lines the endpoint would reject are
 * noted and answered later with a per-line Status, never a failed job.
 *
 * @param input     the JSONL the result writer reads
 * @param unparsable lines of an input file that are not JSON (counted as failed requests)
 */
public record GeminiIntake(Path input, int count, long promptTokens, BitSet badLines, int unparsable) {

    static GeminiIntake inline(JsonNode requests, Path spool, ModelCatalog models, String model,
                               GeminiCaching.View caches) throws IOException {
        BitSet bad = new BitSet();
        long tokens = 0;
        int i = 0;
        try (BufferedWriter out = Files.newBufferedWriter(spool, StandardCharsets.UTF_8)) {
            for (JsonNode item : requests) {
                JsonNode request = item.path("request");
                if (GeminiAnswers.requestError(request, models, model, caches) != null) {
                    bad.set(i);
                }
                tokens += TokenCounter.estimate(GeminiAnswers.promptChars(request))
                        + GeminiCaching.explicitTokens(request, caches);
                ObjectNode line = Json.object();
                if (item.has("metadata")) {
                    line.set("metadata", item.get("metadata"));
                }
                line.set("request", request);
                out.write(Json.write(line));
                out.write('\n');
                i++;
            }
        }
        if (i == 0) {
            throw new ApiException(400, "* BatchGenerateContentRequest.batch.input_config.requests.requests: "
                    + "requests must not be empty\n");
        }
        return new GeminiIntake(spool, i, tokens, bad, 0);
    }

    static GeminiIntake file(Path jsonl, ModelCatalog models, String model, GeminiCaching.View caches)
            throws IOException {
        BitSet bad = new BitSet();
        long tokens = 0;
        int i = 0;
        int unparsable = 0;
        try (BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            String raw;
            while ((raw = in.readLine()) != null) {
                if (raw.isBlank()) {
                    continue;
                }
                try {
                    JsonNode request = Json.parse(raw).path("request");
                    if (GeminiAnswers.requestError(request, models, model, caches) != null) {
                        bad.set(i);
                    }
                    tokens += TokenCounter.estimate(GeminiAnswers.promptChars(request))
                            + GeminiCaching.explicitTokens(request, caches);
                } catch (IOException e) {
                    bad.set(i);
                    unparsable++;
                }
                i++;
            }
        }
        if (i == 0) {
            throw new ApiException(400, "The input file contains no requests.");
        }
        return new GeminiIntake(jsonl, i, tokens, bad, unparsable);
    }
}
