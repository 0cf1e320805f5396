package dev.offpeak.emulator.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Batch;
import dev.offpeak.emulator.BatchEngine;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.Ids;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Phase;
import dev.offpeak.emulator.Results;
import dev.offpeak.emulator.ShuffledJsonlWriter;
import dev.offpeak.emulator.Snapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the results JSONL of an ended Anthropic batch: {@code succeeded} (with usage, cache writes
 * and reads), {@code errored} (invalid params, or the all-lines-fail fault), and {@code expired} /
 * {@code canceled} for requests never started. Lines are unordered.
 */
public final class AnthropicResultWriter implements BatchEngine.ResultWriter {
    private final Emulation emu;

    public AnthropicResultWriter(Emulation emu) {
        this.emu = emu;
    }

    @Override
    public Results write(Batch batch, Snapshot snap) throws IOException {
        Path out = emu.files().newSpoolPath(batch.id() + "-results");
        AnthropicAnswers answers = new AnthropicAnswers(emu.anthropicCache(), emu.config().models(),
                emu.config().choices().anthropicMinCacheableTokens(),
                batch.spec().attributes().path("cache_scope").asText(""));
        Results.Usage usage = Results.Usage.ZERO;
        int ok = 0;
        int errored = 0;
        int unfinished = 0;
        try (BufferedReader in = Files.newBufferedReader(batch.spec().input(), StandardCharsets.UTF_8);
             ShuffledJsonlWriter w = new ShuffledJsonlWriter(out, batch.id())) {
            String raw;
            int i = 0;
            while ((raw = in.readLine()) != null) {
                JsonNode req = Json.parse(raw);
                ObjectNode line = Json.object();
                line.put("custom_id", req.path("custom_id").asText());
                ObjectNode result = line.putObject("result");
                if (i >= snap.linesDone()) {
                    unfinished++;
                    result.put("type", snap.phase() == Phase.EXPIRED ? "expired" : "canceled");
                } else if (batch.lineFails(i)) {
                    errored++;
                    result.put("type", "errored");
                    ObjectNode env = result.putObject("error");
                    env.put("type", "error");
                    boolean injected = batch.allLinesFail();
                    ApiException e = injected ? new ApiException(500, "Internal server error", null, "api_error")
                            : AnthropicAnswers.error(req.path("params"), emu.config().models());
                    env.putObject("error").put("type", e.code()).put("message", e.getMessage());
                    if (injected) {
                        env.put("request_id", "workerreq_" + Ids.derivedBase62(batch.id() + i, 24));
                    } else {
                        env.putNull("request_id");
                    }
                } else {
                    ok++;
                    ObjectNode msg = answers.message(req.path("params"), emu.engine().lineDoneAt(batch, i));
                    JsonNode u = msg.get("usage");
                    usage = usage.plus(u.get("input_tokens").asLong(), u.get("cache_read_input_tokens").asLong(),
                            u.get("cache_creation_input_tokens").asLong(), u.get("output_tokens").asLong());
                    result.put("type", "succeeded");
                    result.set("message", msg);
                }
                w.write(Json.write(line));
                i++;
            }
        }
        boolean expired = snap.phase() == Phase.EXPIRED;
        return new Results(null, null, out, usage, ok, errored, expired ? unfinished : 0, expired ? 0 : unfinished);
    }
}
