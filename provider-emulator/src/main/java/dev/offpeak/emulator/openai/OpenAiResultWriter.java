package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.api.Encoding;

import dev.offpeak.emulator.ApiException;
import dev.offpeak.emulator.Batch;
import dev.offpeak.emulator.BatchEngine;
import dev.offpeak.emulator.Emulation;
import dev.offpeak.emulator.ErrorBodies;
import dev.offpeak.emulator.Ids;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Phase;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.Results;
import dev.offpeak.emulator.ShuffledJsonlWriter;
import dev.offpeak.emulator.Snapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a terminal OpenAI batch's output file (successful lines) and error file (HTTP-error lines,
 * and {@code batch_expired} / {@code batch_cancelled} lines for work never started), streaming the
 * input file line by line. A file is only created when it has at least one line, as OpenAI does.
 */
public final class OpenAiResultWriter implements BatchEngine.ResultWriter {
    private final Emulation emu;

    public OpenAiResultWriter(Emulation emu) {
        this.emu = emu;
    }

    @Override
    public Results write(Batch batch, Snapshot snap) throws IOException {
        Batch.Spec spec = batch.spec();
        String endpoint = spec.attributes().path("endpoint").asText();
        Encoding encoding = emu.tokens().openAiEncoding(spec.model());
        String scope = spec.attributes().path("cache_scope").asText("");
        long minCacheable = "/v1/embeddings".equals(endpoint) ? 0
                : emu.config().models().minCacheablePrefix(Provider.OPENAI, spec.model());
        Path outPath = emu.files().newSpoolPath(batch.id() + "-output");
        Path errPath = emu.files().newSpoolPath(batch.id() + "-error");
        long created = snap.validatedAt() == null ? spec.createdAt().getEpochSecond() : snap.validatedAt().getEpochSecond();
        Results.Usage usage = Results.Usage.ZERO;
        int ok = 0;
        int failed = 0;
        int unfinished = 0;
        long outLines;
        long errLines;
        try (BufferedReader in = Files.newBufferedReader(spec.input(), StandardCharsets.UTF_8);
             ShuffledJsonlWriter out = new ShuffledJsonlWriter(outPath, batch.id());
             ShuffledJsonlWriter err = new ShuffledJsonlWriter(errPath, batch.id() + "e")) {
            String raw;
            int index = -1;
            while ((raw = in.readLine()) != null) {
                if (raw.isBlank()) {
                    continue;
                }
                index++;
                JsonNode line = Json.parse(raw);
                String customId = line.path("custom_id").asText();
                ObjectNode o = Json.object();
                o.put("id", "batch_req_" + Ids.sha256Hex(batch.id() + "|" + customId).substring(0, 32));
                o.put("custom_id", customId);
                if (index >= snap.linesDone()) {
                    unfinished++;
                    o.putNull("response");
                    boolean expired = snap.phase() == Phase.EXPIRED;
                    o.putObject("error").put("code", expired ? "batch_expired" : "batch_cancelled")
                            .put("message", expired
                                    ? "This request could not be executed before the completion window expired."
                                    : "This request was cancelled before it was executed.");
                    err.write(Json.write(o));
                    continue;
                }
                JsonNode body = line.path("body");
                String requestId = "req_" + Ids.sha256Hex(batch.id() + "|r|" + customId).substring(0, 32);
                if (batch.lineFails(index)) {
                    failed++;
                    ApiException e = batch.allLinesFail()
                            ? new ApiException(500, ErrorBodies.faultMessage(Provider.OPENAI, 500))
                            : OpenAiAnswers.lineError(emu.config().models(), endpoint, body,
                                    OpenAiPrompt.of(endpoint, body).count(emu.tokens(), encoding),
                                    text -> emu.tokens().count(encoding, text));
                    ObjectNode resp = o.putObject("response");
                    resp.put("status_code", e.status());
                    resp.put("request_id", requestId);
                    ObjectNode errBody = resp.putObject("body").putObject("error");
                    errBody.put("message", e.getMessage());
                    errBody.put("type", e.status() >= 500 ? "server_error" : "invalid_request_error");
                    errBody.put("param", e.param());
                    errBody.put("code", e.code());
                    o.putNull("error");
                    err.write(Json.write(o));
                    continue;
                }
                ok++;
                OpenAiAnswers.Usage u = OpenAiAnswers.usage(emu, endpoint, body, encoding, minCacheable, scope,
                        emu.engine().lineDoneAt(batch, index));
                usage = usage.plus(u.promptTokens(), u.cachedTokens(), 0, u.outputTokens());
                ObjectNode resp = o.putObject("response");
                resp.put("status_code", 200);
                resp.put("request_id", requestId);
                resp.set("body", OpenAiAnswers.answer(endpoint, body, u, created));
                o.putNull("error");
                out.write(Json.write(o));
            }
            outLines = out.lines();
            errLines = err.lines();
        }
        String outputId = adopt(batch, outPath, outLines, "output");
        String errorId = adopt(batch, errPath, errLines, "error");
        return new Results(outputId, errorId, null, usage, ok, failed,
                snap.phase() == Phase.EXPIRED ? unfinished : 0, snap.phase() == Phase.CANCELLED ? unfinished : 0);
    }

    private String adopt(Batch batch, Path path, long lines, String kind) throws IOException {
        if (lines == 0) {
            Files.deleteIfExists(path);
            return null;
        }
        String id = emu.ids().openAiFile();
        emu.files().adopt(Provider.OPENAI, id, batch.id() + "_" + kind + ".jsonl", "batch_output",
                "application/jsonl", path, emu.now());
        return id;
    }
}
