package dev.offpeak.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The preflight corpus ({@link PreflightCorpus}): tasks for every endpoint Offpeak takes, each
 * with the verdict its provider would give (docs/request-validation.md).
 * A line is {@code {"case", "verdict": "accept"|"refuse", "field", "task"}}: an accepted task has no
 * problem at all; a refused one has a problem on exactly {@code field} (others may come with it).
 */
class PreflightCorpusTest {
    private static final TaskValidator VALIDATOR = new TaskValidator(ModelRegistry.loadDefault());

    static Stream<Arguments> corpus() {
        return PreflightCorpus.cases().stream().map(c -> Arguments.of(c.name(), c.line()));
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

}
