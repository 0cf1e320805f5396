package dev.offpeak.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The preflight corpus: every {@code *.jsonl} file under {@code schemas/src/test/resources/preflight/},
 * one file per endpoint (or per pair of endpoints). A line is
 * {@code {"case", "verdict": "accept"|"refuse", "field", "task"}}. Read by {@code PreflightCorpusTest}
 * here and, from the same folder, by the provider emulator's agreement test.
 */
final class PreflightCorpus {
    /** One line of the corpus; {@code name} is the file and the case, so names stay unique. */
    record Case(String name, JsonNode line) {}

    /** The folder, relative to the schemas module, where Maven runs the tests. */
    static final Path FOLDER = Path.of("src/test/resources/preflight");

    private PreflightCorpus() {}

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(FOLDER)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        JsonNode parsed = Json.mapper().readTree(line);
                        cases.add(new Case(file.getFileName() + ": " + parsed.path("case").asText(), parsed));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (cases.isEmpty()) {
            throw new IllegalStateException("no corpus under " + FOLDER.toAbsolutePath());
        }
        return cases;
    }
}
