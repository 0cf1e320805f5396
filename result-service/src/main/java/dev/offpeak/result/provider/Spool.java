package dev.offpeak.result.provider;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A submission's lines written to a temporary file, so a batch of hundreds of MB goes to the
 * provider by {@code BodyPublishers.ofFile} without ever being held in the heap, and a retried
 * send re-reads the file instead of the database. Deleted on close.
 */
final class Spool implements AutoCloseable {
    private final Path path;

    private Spool(Path path) {
        this.path = path;
    }

    /** Lines as JSONL (OpenAI and Gemini input files). */
    static Spool jsonl(BatchSubmission submission) throws IOException {
        return write(submission, out -> submission.writeJsonl(out));
    }

    /** Anthropic's body {@code {"requests":[line,line,...]}}: each line is one request object. */
    static Spool anthropicRequests(BatchSubmission submission) throws IOException {
        return write(submission, out -> {
            out.write("{\"requests\":[".getBytes(StandardCharsets.UTF_8));
            boolean[] first = {true};
            submission.lines().forEach(line -> {
                if (!first[0]) {
                    out.write(',');
                }
                first[0] = false;
                out.write(line.getBytes(StandardCharsets.UTF_8));
            });
            out.write("]}".getBytes(StandardCharsets.UTF_8));
        });
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static Spool write(BatchSubmission submission, Writer writer) throws IOException {
        Path file = Files.createTempFile("offpeak-" + safe(submission.pipelineBatchId()) + "-", ".spool");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            writer.write(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new Spool(file);
    }

    private static String safe(String id) {
        return id == null ? "batch" : id.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    Path path() {
        return path;
    }

    long size() {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover temp file is harmless; the send's outcome matters more than cleaning up
        }
    }
}
