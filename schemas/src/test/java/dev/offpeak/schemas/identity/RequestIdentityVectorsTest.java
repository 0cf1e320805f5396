package dev.offpeak.schemas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.DedupScope;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks the request identity against the shared contract vectors, case by case. */
class RequestIdentityVectorsTest {

    record Vector(String name, String taskJson, boolean globalDedup, String canonical, String requestId) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Vector> vectors() throws IOException {
        try (InputStream in = RequestIdentityVectorsTest.class.getResourceAsStream("/request-identity-vectors.json")) {
            JsonNode root = Json.mapper().readTree(in);
            List<Vector> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                out.add(new Vector(c.get("name").asText(), c.get("task_json").asText(),
                        c.get("global_dedup").asBoolean(), c.get("canonical").asText(), c.get("request_id").asText()));
            }
            return out;
        }
    }

    static Stream<Vector> cases() throws IOException {
        return vectors().stream();
    }

    private static TaskSubmitted task(Vector v) throws IOException {
        TaskSubmitted parsed = Json.mapper().readValue(v.taskJson(), TaskSubmitted.class);
        // The vectors express the tenant's opt-in as a flag beside the task; on the wire it is dedup_scope.
        return new TaskSubmitted(parsed.taskId(), parsed.tenant(), parsed.jobId(), parsed.provider(), parsed.model(),
                parsed.endpoint(), parsed.request(), parsed.metadata(), parsed.dedup(),
                v.globalDedup() ? DedupScope.GLOBAL : DedupScope.TENANT, parsed.notAfter(), parsed.submittedAt(),
                parsed.mode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void canonicalFormAndIdMatchTheContract(Vector v) throws IOException {
        TaskSubmitted task = task(v);
        assertThat(RequestIdentity.canonicalJson(task)).isEqualTo(v.canonical());
        assertThat(RequestIdentity.requestId(task)).isEqualTo(v.requestId());
        assertThat(RequestIdentity.sha256Hex(v.canonical())).isEqualTo(v.requestId());
    }

    @Test
    void everyCaseIsCheckedAndTheSameAndDifferentCasesBehaveAsNoted() throws IOException {
        List<Vector> all = vectors();
        assertThat(all).hasSize(15);
        String base = all.stream().filter(v -> v.name().equals("base")).findFirst().orElseThrow().requestId();
        for (Vector v : all) {
            String id = RequestIdentity.requestId(task(v));
            boolean sameAsBase = switch (v.name()) {
                case "base", "key-order-and-whitespace", "other-task-id-same-request", "other-mode-same-request",
                        "model-inside-request-ignored", "number-forms" -> true;
                default -> false;
            };
            assertThat(id.equals(base)).as(v.name()).isEqualTo(sameAsBase);
            assertThat(id).matches("^[0-9a-f]{64}$");
        }
    }
}
