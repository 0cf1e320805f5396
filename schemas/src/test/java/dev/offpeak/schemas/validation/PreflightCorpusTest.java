package dev.offpeak.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The preflight corpus ({@code preflight/corpus.jsonl}): tasks for {@code /v1/chat/completions}
 * and {@code /v1/messages}, each with the verdict its provider would give (docs/request-validation.md).
 * A line is {@code {"case", "verdict": "accept"|"refuse", "field", "task"}}: an accepted task has no
 * problem at all; a refused one has a problem on exactly {@code field} (others may come with it).
 */
class PreflightCorpusTest {
    private static final TaskValidator VALIDATOR = new TaskValidator(ModelRegistry.loadDefault());

    static Stream<Arguments> corpus() {
        InputStream in = PreflightCorpusTest.class.getResourceAsStream("/preflight/corpus.jsonl");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<JsonNode> lines = reader.lines().filter(l -> !l.isBlank()).map(PreflightCorpusTest::parse).toList();
            return lines.stream().map(l -> Arguments.of(l.path("case").asText(), l));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void taskGetsTheProvidersVerdict(String name, JsonNode line) {
        List<Problem> problems = VALIDATOR.validate(line.get("task"));
        if ("accept".equals(line.path("verdict").asText())) {
            assertThat(problems).as(name).isEmpty();
        } else {
            assertThat(problems).as(name).extracting(Problem::field).contains(line.path("field").asText());
        }
    }

    private static JsonNode parse(String line) {
        try {
            return Json.mapper().readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
