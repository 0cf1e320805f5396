package dev.offpeak.emulator.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.offpeak.emulator.Batch;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Phase;
import dev.offpeak.emulator.Results;
import dev.offpeak.emulator.Snapshot;
import dev.offpeak.emulator.StoredFile;
import dev.offpeak.emulator.Times;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

/**
 * Gemini resources in proto3 JSON: the long-running Operation wrapping a GenerateContentBatch, and
 * the File resource. int64 fields are strings, zero-valued fields are omitted, timestamps are
 * RFC 3339 with nanoseconds (gemini-batch.md §2-§3).
 */
public final class GeminiJson {
    public static final String BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch";
    public static final String OUTPUT_TYPE =
            "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput";

    private GeminiJson() {
    }

    public static String state(Phase phase) {
        return switch (phase) {
            case VALIDATING -> "BATCH_STATE_PENDING";
            case IN_PROGRESS, FINALIZING, CANCELLING -> "BATCH_STATE_RUNNING";
            case COMPLETED -> "BATCH_STATE_SUCCEEDED";
            case FAILED -> "BATCH_STATE_FAILED";
            case EXPIRED -> "BATCH_STATE_EXPIRED";
            case CANCELLED -> "BATCH_STATE_CANCELLED";
        };
    }

    public static ObjectNode operation(Batch b, Snapshot s, Results r) {
        String name = "batches/" + b.id();
        ObjectNode meta = Json.object();
        meta.put("@type", BATCH_TYPE);
        meta.put("model", "models/" + b.spec().model());
        meta.put("displayName", b.spec().attributes().path("displayName").asText());
        if (b.spec().attributes().has("fileName")) {
            meta.putObject("inputConfig").put("fileName", b.spec().attributes().get("fileName").asText());
        }
        meta.put("createTime", Times.nanos(b.spec().createdAt()));
        if (s.phase().terminal()) {
            meta.put("endTime", Times.nanos(s.endedAt()));
        }
        meta.put("updateTime", Times.nanos(s.updatedAt()));
        ObjectNode stats = meta.putObject("batchStats");
        int n = b.spec().lineCount();
        putCount(stats, "requestCount", n);
        putCount(stats, "successfulRequestCount", s.linesOk());
        putCount(stats, "failedRequestCount", s.linesFailed());
        putCount(stats, "pendingRequestCount", n - s.linesDone());
        meta.put("state", state(s.phase()));
        meta.put("name", name);
        long priority = b.spec().attributes().path("priority").asLong(0);
        if (priority != 0) {
            meta.put("priority", String.valueOf(priority));
        }
        ObjectNode op = Json.object();
        op.put("name", name);
        op.set("metadata", meta);
        if (s.phase().terminal()) {
            op.put("done", true);
        }
        if (s.phase() == Phase.FAILED) {
            op.set("error", GeminiAnswers.status(3, "The input file has no parsable request.", null).without("status"));
        }
        ObjectNode output = output(r);
        if (output != null) {
            meta.set("output", output);
            ObjectNode response = Json.object();
            response.put("@type", OUTPUT_TYPE);
            response.setAll(output);
            op.set("response", response);
        }
        return op;
    }

    private static ObjectNode output(Results r) {
        if (r.outputFileId() != null) {
            return Json.object().put("responsesFile", r.outputFileId());
        }
        if (r.resultsPath() == null) {
            return null;
        }
        ArrayNode items = Json.array();
        try (BufferedReader in = Files.newBufferedReader(r.resultsPath(), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                items.add(Json.parse(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading inline responses", e);
        }
        ObjectNode out = Json.object();
        out.putObject("inlinedResponses").set("inlinedResponses", items);
        return out;
    }

    private static void putCount(ObjectNode o, String field, long v) {
        if (v != 0) {
            o.put(field, String.valueOf(v));
        }
    }

    public static ObjectNode file(StoredFile f, String origin) {
        String id = f.id().substring("files/".length());
        ObjectNode o = Json.object();
        o.put("name", f.id());
        o.put("displayName", f.filename());
        o.put("mimeType", f.mimeType());
        o.put("sizeBytes", String.valueOf(f.bytes()));
        o.put("createTime", Times.nanos(f.createdAt()));
        o.put("updateTime", Times.nanos(f.createdAt()));
        o.put("expirationTime", Times.nanos(f.createdAt().plus(Duration.ofHours(48))));
        o.put("sha256Hash", f.sha256());
        o.put("uri", origin + "/gemini/v1beta/files/" + id);
        if ("GENERATED".equals(f.purpose())) {
            o.put("downloadUri", origin + "/gemini/download/v1beta/files/" + id + ":download?alt=media");
        }
        o.put("state", "ACTIVE");
        o.put("source", f.purpose());
        return o;
    }

    static JsonNode wrapFile(StoredFile f, String origin) {
        ObjectNode o = Json.object();
        o.set("file", file(f, origin));
        return o;
    }
}
