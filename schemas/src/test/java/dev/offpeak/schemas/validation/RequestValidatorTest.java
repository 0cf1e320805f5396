package dev.offpeak.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.pricing.ModelRegistry;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A request body on its own (as the provider, or the emulator, sees it) gets exactly the request
 * problems that the same body gets inside a task, each named relative to the body. Run over the whole
 * preflight corpus.
 */
class RequestValidatorTest {
    private static final TaskValidator TASKS = new TaskValidator(ModelRegistry.loadDefault());

    static Stream<Arguments> corpus() {
        return PreflightCorpus.cases().stream()
                .filter(c -> c.line().path("task").path("request").isObject())
                .map(c -> Arguments.of(c.name(), c.line().get("task")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aBodyAloneHasTheRequestProblemsItHasInATask(String name, JsonNode task) {
        Provider provider = Provider.find(task.path("provider").asText()).orElse(null);
        String endpoint = task.path("endpoint").asText();
        if (provider == null || !RequestValidator.get().endpoints(provider).contains(endpoint)) {
            return; // refused on provider or endpoint: no body rules to compare
        }
        Set<String> inTask = TASKS.validate(task).stream()
                .filter(p -> p.field().startsWith("request.") && !p.message().startsWith("must equal model ("))
                .map(Problem::field).filter(f -> !isModelLimit(task, f))
                .map(f -> f.substring("request.".length())).collect(Collectors.toSet());
        Set<String> alone = RequestValidator.get().validate(provider, endpoint, task.get("request")).stream()
                .map(Problem::field).collect(Collectors.toSet());
        assertThat(alone).as(name).isEqualTo(inTask);
    }

    /** Output caps, context windows and embeddings input limits come from the registry, not the body's rules. */
    private static boolean isModelLimit(JsonNode task, String field) {
        List<Problem> problems = TASKS.validate(task);
        return problems.stream().anyMatch(p -> p.field().equals(field)
                && (p.message().contains("the maximum output of") || p.message().contains("context window")
                        || p.message().contains("-token input limit of") || p.message().contains("an embeddings request may hold")));
    }

    @Test
    void anEndpointOffpeakDoesNotTakeIsOneProblemNamingTheOnesItDoes() {
        List<Problem> problems = RequestValidator.get().validate(Provider.GEMINI, "embedContent",
                dev.offpeak.schemas.json.Json.mapper().createObjectNode());
        assertThat(problems).singleElement().asString()
                .isEqualTo("$: gemini has no endpoint embedContent that Offpeak checks (it takes generateContent)");
    }
}
