package dev.offpeak.emulator.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.offpeak.emulator.Batch;
import dev.offpeak.emulator.Json;
import dev.offpeak.emulator.Phase;
import dev.offpeak.emulator.Provider;
import dev.offpeak.emulator.Results;
import dev.offpeak.emulator.Snapshot;
import dev.offpeak.emulator.StoredFile;
import dev.offpeak.emulator.Timeline;
import java.time.Duration;
import java.time.Instant;

/** The OpenAI Batch and File objects, every field present (nulls explicit), as in openai-batch.md §2.2 / §3.5. */
public final class OpenAiJson {
    private OpenAiJson() {
    }

    public static ObjectNode file(StoredFile f) {
        ObjectNode o = Json.object();
        o.put("id", f.id());
        o.put("object", "file");
        o.put("bytes", f.bytes());
        o.put("created_at", f.createdAt().getEpochSecond());
        o.put("expires_at", f.createdAt().plus(Duration.ofDays(30)).getEpochSecond());
        o.put("filename", f.filename());
        o.put("purpose", f.purpose());
        o.put("status", "processed");
        o.putNull("status_details");
        return o;
    }

    public static String status(Phase phase) {
        return phase.name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ObjectNode batch(Batch batch, Snapshot s, Results r, boolean countUnfinishedAsFailed) {
        Batch.Spec spec = batch.spec();
        ObjectNode a = spec.attributes();
        ObjectNode o = Json.object();
        o.put("id", spec.id());
        o.put("object", "batch");
        o.put("endpoint", a.path("endpoint").asText());
        if (spec.model() != null) {
            o.put("model", spec.model());
        }
        if (spec.failure() != null && s.phase() == Phase.FAILED) {
            ObjectNode errors = o.putObject("errors");
            errors.put("object", "list");
            errors.set("data", spec.failure().errors());
        } else {
            o.putNull("errors");
        }
        o.put("input_file_id", a.path("input_file_id").asText());
        o.put("completion_window", "24h");
        o.put("status", status(s.phase()));
        o.put("output_file_id", r.outputFileId());
        o.put("error_file_id", r.errorFileId());
        o.put("created_at", spec.createdAt().getEpochSecond());
        time(o, "in_progress_at", s.phase() == Phase.FAILED ? null : s.validatedAt());
        time(o, "expires_at", spec.createdAt().plus(Timeline.window(Provider.OPENAI)));
        time(o, "finalizing_at", s.finalizingAt());
        time(o, "completed_at", s.phase() == Phase.COMPLETED ? s.endedAt() : null);
        time(o, "failed_at", s.phase() == Phase.FAILED ? s.endedAt() : null);
        time(o, "expired_at", s.phase() == Phase.EXPIRED ? s.endedAt() : null);
        time(o, "cancelling_at", s.cancellingAt());
        time(o, "cancelled_at", s.phase() == Phase.CANCELLED ? s.endedAt() : null);
        int total = s.phase() == Phase.VALIDATING || s.phase() == Phase.FAILED ? 0 : spec.lineCount();
        int failed = s.linesFailed();
        if (countUnfinishedAsFailed && (s.phase() == Phase.EXPIRED || s.phase() == Phase.CANCELLED)) {
            failed += spec.lineCount() - s.linesDone();
        }
        o.putObject("request_counts").put("total", total).put("completed", s.linesOk()).put("failed", failed);
        Results.Usage u = r.usage();
        ObjectNode usage = o.putObject("usage");
        usage.put("input_tokens", u.inputTokens());
        usage.putObject("input_tokens_details").put("cached_tokens", u.cachedTokens());
        usage.put("output_tokens", u.outputTokens());
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", u.inputTokens() + u.outputTokens());
        o.set("metadata", a.get("metadata"));
        return o;
    }

    private static void time(ObjectNode o, String field, Instant t) {
        if (t == null) {
            o.putNull(field);
        } else {
            o.put(field, t.getEpochSecond());
        }
    }
}
