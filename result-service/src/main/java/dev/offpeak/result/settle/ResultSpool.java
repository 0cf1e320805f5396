package dev.offpeak.result.settle;

import dev.offpeak.result.provider.BatchProviderClient;
import dev.offpeak.result.provider.ResultLine;
import dev.offpeak.schemas.json.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Result lines downloaded to local disk before settlement, so a network fault never breaks a
 * database transaction half way and a 50,000-line file is never held in memory.
 */
public final class ResultSpool implements BatchProviderClient.ResultSink, AutoCloseable {
    private final Path file;
    private final BufferedWriter writer;
    private long count;

    public ResultSpool(Path dir) throws IOException {
        Files.createDirectories(dir);
        this.file = Files.createTempFile(dir, "results-", ".jsonl");
        this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    @Override
    public void accept(ResultLine line) throws IOException {
        writer.write(Json.write(line));
        writer.write('\n');
        count++;
    }

    public long count() {
        return count;
    }

    /** Reads the spooled lines back, one at a time. */
    public void forEach(Consumer<ResultLine> action) {
        try {
            writer.flush();
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String text;
                while ((text = reader.readLine()) != null) {
                    action.accept(Json.mapper().readValue(text, ResultLine.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read result spool " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        writer.close();
        Files.deleteIfExists(file);
    }
}
