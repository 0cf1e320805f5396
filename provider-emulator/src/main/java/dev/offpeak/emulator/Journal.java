package dev.offpeak.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happened to files and batches, one JSON line per change, so an emulator started again on
 * the same data folder still knows every batch and file (local mode restarts; a client polling a
 * batch created before the restart must not get a 404 that the real provider would never send).
 * Batch state itself is never stored: it follows from the creation time and the clock, exactly as
 * before the restart. Results are journaled once written, so output file ids stay the same.
 *
 * <p>Only an emulator given a data folder keeps a journal; one on a temporary folder uses {@link
 * #NONE}. Lines are flushed as written; a line cut short by a crash is skipped on replay with a
 * warning. {@code reset} empties the journal with everything else.
 */
public class Journal implements AutoCloseable {
    static final String FILE = "journal.jsonl";
    /** Keeps nothing: for an emulator whose data folder is deleted on close. */
    public static final Journal NONE = new Journal();
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private final Path path;
    private final Path filesDir;
    private BufferedWriter out;

    private Journal() {
        this.path = null;
        this.filesDir = null;
    }

    private Journal(Path path, Path filesDir) throws IOException {
        this.path = path;
        this.filesDir = filesDir;
        this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Replays {@code dataDir}'s journal (if any) into {@code files} and {@code engine}, then opens it
     * for appending.
     */
    static Journal open(Path dataDir, FileStore files, BatchEngine engine, CachedContentStore caches)
            throws IOException {
        Path path = dataDir.resolve(FILE);
        if (Files.exists(path)) {
            replay(path, files, engine, caches);
        }
        return new Journal(path, files.dir());
    }

    void fileStored(StoredFile f) {
        ObjectNode e = event("file_stored");
        e.put("id", f.id()).put("provider", f.provider().wireName()).put("filename", f.filename())
                .put("purpose", f.purpose()).put("mime_type", f.mimeType()).put("bytes", f.bytes())
                .put("created_at", f.createdAt().toString()).put("path", relative(f.path())).put("sha256", f.sha256());
        write(e);
    }

    void fileDeleted(Provider provider, String id) {
        write(event("file_deleted").put("provider", provider.wireName()).put("id", id));
    }

    void batchCreated(Batch.Spec s) {
        ObjectNode e = event("batch_created");
        e.put("id", s.id()).put("provider", s.provider().wireName()).put("created_at", s.createdAt().toString())
                .put("model", s.model()).put("line_count", s.lineCount()).put("prompt_tokens", s.promptTokens())
                .put("input", s.input() == null ? null : relative(s.input()));
        ArrayNode failures = e.putArray("http_failures");
        for (long word : s.httpFailures().toLongArray()) {
            failures.add(word);
        }
        s.fault().ifPresent(f -> {
            switch (f) {
                case Faults.BatchFault.ExpireAfterLines x -> e.putObject("fault").put("expire_after_lines", x.lines());
                case Faults.BatchFault.AllLinesFail x -> e.putObject("fault").put("all_lines_fail", true);
            }
        });
        if (s.failure() != null) {
            e.set("failure", s.failure().errors());
        }
        e.set("attributes", s.attributes());
        write(e);
    }

    void cancelRequested(Batch b, Instant at) {
        write(batchEvent("batch_cancel_requested", b).put("at", at.toString()));
    }

    void batchDeleted(Batch b) {
        write(batchEvent("batch_deleted", b));
    }

    void resultsWritten(Batch b, Results r) {
        ObjectNode e = batchEvent("batch_results", b);
        e.put("output_file_id", r.outputFileId()).put("error_file_id", r.errorFileId())
                .put("results_path", r.resultsPath() == null ? null : relative(r.resultsPath()))
                .put("succeeded", r.succeeded()).put("errored", r.errored()).put("expired", r.expired())
                .put("cancelled", r.cancelled());
        e.putObject("usage").put("input", r.usage().inputTokens()).put("cached", r.usage().cachedTokens())
                .put("cache_write", r.usage().cacheWriteTokens()).put("output", r.usage().outputTokens());
        write(e);
    }

    void cachedContentCreated(CachedContentStore.Entry c) {
        ObjectNode e = event("cached_content_created").put("provider", Provider.GEMINI.wireName()).put("id", c.id());
        e.put("scope", c.scope()).put("model", c.model()).put("display_name", c.displayName())
                .put("create_time", c.createTime().toString()).put("expire_time", c.expireTime().toString())
                .put("total_token_count", c.totalTokens());
        write(e);
    }

    void cachedContentUpdated(CachedContentStore.Entry c) {
        write(event("cached_content_updated").put("provider", Provider.GEMINI.wireName()).put("id", c.id())
                .put("update_time", c.updateTime().toString()).put("expire_time", c.expireTime().toString()));
    }

    void cachedContentDeleted(String id, Instant at) {
        write(event("cached_content_deleted").put("provider", Provider.GEMINI.wireName()).put("id", id)
                .put("at", at.toString()));
    }

    /** Forgets everything journaled so far (the admin reset). */
    synchronized void reset() {
        if (path == null) {
            return;
        }
        try {
            out.close();
            out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the emulator journal " + path, e);
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("could not close the emulator journal {}", path, e);
            }
        }
    }

    private synchronized void write(ObjectNode event) {
        if (path == null) {
            return;
        }
        try {
            out.write(event.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the emulator journal " + path, e);
        }
    }

    private static ObjectNode event(String type) {
        return Json.object().put("event", type);
    }

    private static ObjectNode batchEvent(String type, Batch b) {
        return event(type).put("provider", b.spec().provider().wireName()).put("id", b.id());
    }

    /** Paths inside the files folder are kept relative to it, so the data folder can move. */
    private String relative(Path p) {
        return filesDir != null && p.startsWith(filesDir) ? filesDir.relativize(p).toString() : p.toString();
    }

    private static void replay(Path path, FileStore files, BatchEngine engine, CachedContentStore caches)
            throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        int applied = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode e;
            try {
                e = Json.parse(line);
            } catch (IOException ex) {
                LOG.warn("emulator journal {} line {} is unreadable and skipped (cut short by a crash?)", path, i + 1);
                continue;
            }
            apply(e, files, engine, caches);
            applied++;
        }
        LOG.info("emulator journal {}: {} changes replayed", path, applied);
    }

    private static void apply(JsonNode e, FileStore files, BatchEngine engine, CachedContentStore caches) {
        Provider provider = Provider.fromWire(e.path("provider").asText());
        String id = e.path("id").asText();
        switch (e.path("event").asText()) {
            case "file_stored" -> files.restore(new StoredFile(id, provider, text(e, "filename"), text(e, "purpose"),
                    text(e, "mime_type"), e.path("bytes").asLong(), Instant.parse(e.path("created_at").asText()),
                    files.dir().resolve(e.path("path").asText()), text(e, "sha256")));
            case "file_deleted" -> files.forget(provider, id);
            case "batch_created" -> engine.restore(new Batch(spec(e, provider, id, files.dir())));
            case "batch_cancel_requested" -> withBatch(engine, provider, id,
                    b -> b.requestCancel(Instant.parse(e.path("at").asText())));
            case "batch_deleted" -> withBatch(engine, provider, id, Batch::markDeleted);
            case "batch_results" -> withBatch(engine, provider, id, b -> b.results(results(e, files.dir())));
            case "cached_content_created" -> caches.restore(new CachedContentStore.Entry(id, text(e, "scope"),
                    text(e, "model"), text(e, "display_name"), Instant.parse(e.path("create_time").asText()),
                    Instant.parse(e.path("create_time").asText()), Instant.parse(e.path("expire_time").asText()), null,
                    e.path("total_token_count").asLong()));
            case "cached_content_updated" -> {
                CachedContentStore.Entry c = caches.find(id);
                if (c != null) {
                    caches.restore(new CachedContentStore.Entry(c.id(), c.scope(), c.model(), c.displayName(),
                            c.createTime(), Instant.parse(e.path("update_time").asText()),
                            Instant.parse(e.path("expire_time").asText()), c.deletedAt(), c.totalTokens()));
                }
            }
            case "cached_content_deleted" -> {
                CachedContentStore.Entry c = caches.find(id);
                if (c != null) {
                    caches.restore(new CachedContentStore.Entry(c.id(), c.scope(), c.model(), c.displayName(),
                            c.createTime(), c.updateTime(), c.expireTime(), Instant.parse(e.path("at").asText()),
                            c.totalTokens()));
                }
            }
            default -> LOG.warn("emulator journal: unknown event {} skipped", e.path("event").asText());
        }
    }

    private static Batch.Spec spec(JsonNode e, Provider provider, String id, Path filesDir) {
        long[] words = new long[e.path("http_failures").size()];
        for (int i = 0; i < words.length; i++) {
            words[i] = e.path("http_failures").get(i).asLong();
        }
        JsonNode fault = e.path("fault");
        Optional<Faults.BatchFault> batchFault = fault.has("expire_after_lines")
                ? Optional.of(new Faults.BatchFault.ExpireAfterLines(fault.path("expire_after_lines").asInt()))
                : fault.has("all_lines_fail") ? Optional.of(new Faults.BatchFault.AllLinesFail()) : Optional.empty();
        Batch.BatchFailure failure = e.path("failure").isArray()
                ? new Batch.BatchFailure((ArrayNode) e.path("failure")) : null;
        String input = text(e, "input");
        return new Batch.Spec(id, provider, Instant.parse(e.path("created_at").asText()), text(e, "model"),
                e.path("line_count").asInt(), e.path("prompt_tokens").asLong(),
                input == null ? null : filesDir.resolve(input), BitSet.valueOf(words), batchFault, failure,
                (ObjectNode) e.path("attributes"));
    }

    private static Results results(JsonNode e, Path filesDir) {
        JsonNode u = e.path("usage");
        String resultsPath = text(e, "results_path");
        return new Results(text(e, "output_file_id"), text(e, "error_file_id"),
                resultsPath == null ? null : filesDir.resolve(resultsPath),
                new Results.Usage(u.path("input").asLong(), u.path("cached").asLong(), u.path("cache_write").asLong(),
                        u.path("output").asLong()),
                e.path("succeeded").asInt(), e.path("errored").asInt(), e.path("expired").asInt(),
                e.path("cancelled").asInt());
    }

    private static void withBatch(BatchEngine engine, Provider provider, String id, java.util.function.Consumer<Batch> change) {
        Batch b = engine.getIncludingDeleted(provider, id);
        if (b == null) {
            LOG.warn("emulator journal: change to unknown batch {} {} skipped", provider.wireName(), id);
            return;
        }
        change.accept(b);
    }

    private static String text(JsonNode e, String field) {
        JsonNode v = e.path(field);
        return v.isNull() || v.isMissingNode() ? null : v.asText();
    }
}
