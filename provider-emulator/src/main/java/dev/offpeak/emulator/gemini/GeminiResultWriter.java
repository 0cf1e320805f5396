package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.offpeak.emulator.Batch;
import dev.offpeak.emulator.BatchEngine;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Phase;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.Results;
import dev.offpeak.emulator.ShuffledJsonlWriter;
import dev.offpeak.emulator.Snapshot;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a terminal Gemini job's output. Inline jobs get their {@code inlinedResponses} in input
 * order (without a {@code key}, position is the only link); file jobs get a generated
 * {@code files/batch-…} JSONL of {@code {"key", "response"|"error"}}. An expired job has no results
 * at all; a cancelled one keeps finished lines only if configured (unconfirmed upstream).
 */
public final class GeminiResultWriter implements BatchEngine.ResultWriter {
    private final Emulation emu;

    public GeminiResultWriter(Emulation emu) {
        this.emu = emu;
    }

    @Override
    public Results write(Batch batch, Snapshot snap) throws IOException {
        int done = snap.linesDone();
        int ok = snap.linesOk();
        int unfinished = batch.spec().lineCount() - done;
        boolean withOutput = snap.phase() == Phase.COMPLETED
                || snap.phase() == Phase.CANCELLED && emu.config().choices().geminiCancelKeepsFinishedResults();
        if (!withOutput) {
            return new Results(null, null, null, Results.Usage.ZERO, ok, done - ok,
                    snap.phase() == Phase.EXPIRED ? unfinished : 0, snap.phase() == Phase.CANCELLED ? unfinished : 0);
        }
        boolean fromFile = batch.spec().attributes().has("fileName");
        String model = batch.spec().model();
        Path out = emu.files().newSpoolPath(batch.id() + "-responses");
        Results.Usage usage = Results.Usage.ZERO;
        GeminiCaching.View caches = new GeminiCaching.View(emu.cachedContents(),
                batch.spec().attributes().path("cache_scope").asText(""), batch.spec().createdAt());
        long minCacheable = emu.config().models().minCacheablePrefix(Provider.GEMINI, model);
        boolean implicit = emu.config().choices().geminiImplicitCaching() && minCacheable > 0;
        try (BufferedReader in = Files.newBufferedReader(batch.spec().input(), StandardCharsets.UTF_8);
             BufferedWriter ordered = fromFile ? null : Files.newBufferedWriter(out, StandardCharsets.UTF_8);
             ShuffledJsonlWriter shuffled = fromFile ? new ShuffledJsonlWriter(out, batch.id()) : null) {
            String raw;
            int i = 0;
            while ((raw = in.readLine()) != null && i < done) {
                if (raw.isBlank()) {
                    continue;
                }
                ObjectNode line = Json.object();
                JsonNode item = parseOrNull(raw);
                if (fromFile) {
                    line.put("key", item == null ? "" : item.path("key").asText());
                } else if (item.has("metadata")) {
                    line.set("metadata", item.get("metadata"));
                }
                JsonNode request = item == null ? Json.object() : item.path("request");
                if (batch.lineFails(i)) {
                    line.set("error", batch.allLinesFail()
                            ? GeminiAnswers.status(500, "Internal error encountered.", "INTERNAL")
                            : item == null ? GeminiAnswers.status(400, "Invalid JSON payload.", "INVALID_ARGUMENT")
                            : GeminiAnswers.requestError(request, emu.config().models(), model, caches));
                } else {
                    long explicit = GeminiCaching.explicitTokens(request, caches);
                    long implicitTokens = implicit ? GeminiCaching.implicitTokens(emu, caches.scope(), model, request,
                            emu.engine().lineDoneAt(batch, i)) : 0;
                    ObjectNode response = GeminiAnswers.response(request, model, explicit, implicitTokens);
                    JsonNode u = response.get("usageMetadata");
                    usage = usage.plus(u.get("promptTokenCount").asLong(), u.path("cachedContentTokenCount").asLong(),
                            0, u.get("candidatesTokenCount").asLong());
                    line.set("response", response);
                }
                if (fromFile) {
                    shuffled.write(Json.write(line));
                } else {
                    ordered.write(Json.write(line));
                    ordered.write('\n');
                }
                i++;
            }
        }
        String fileId = null;
        Path resultsPath = out;
        if (fromFile) {
            fileId = "files/batch-" + batch.id().substring(0, 28);
            resultsPath = emu.files().adopt(Provider.GEMINI, fileId, "batch-" + batch.id() + "-responses",
                    "GENERATED", "application/jsonl", out, emu.now()).path();
        }
        return new Results(fileId, null, resultsPath, usage, ok, done - ok,
                snap.phase() == Phase.EXPIRED ? unfinished : 0, snap.phase() == Phase.CANCELLED ? unfinished : 0);
    }

    private static JsonNode parseOrNull(String raw) {
        try {
            return Json.parse(raw);
        } catch (IOException e) {
            return null;
        }
    }
}
