package dev.offpeak.ingest.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offpeak.ingest.IntakeResult;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.ingest.RejectedException;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.ingest.TaskIntake;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.tenants.TenantPolicy;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.TaskValidator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenAiBatchLinesTest {
    private static final TenantPolicy ACME = new TenantPolicy("acme", Set.of(), Set.of(), false);
    private final OpenAiBatchLines lines = new OpenAiBatchLines(new TaskIntake(
            new TaskValidator(ModelRegistry.loadDefault()), InstantSource.fixed(Instant.parse("2026-12-04T00:00:00Z"))),
            "job-1", null);

    private IntakeResult decode(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return lines.decode(bytes, 0, bytes.length, ACME);
    }

    private static String line(String customId) {
        return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                + "\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5}}";
    }

    @Test
    void taskFieldsAreReportedUnderTheLinesOwnNames() {
        assertThat(OpenAiBatchLines.lineField("task_id")).isEqualTo("custom_id");
        assertThat(OpenAiBatchLines.lineField("endpoint")).isEqualTo("url");
        assertThat(OpenAiBatchLines.lineField("model")).isEqualTo("body.model");
        assertThat(OpenAiBatchLines.lineField("request")).isEqualTo("body");
        assertThat(OpenAiBatchLines.lineField("request.messages[0].role")).isEqualTo("body.messages[0].role");
        assertThat(OpenAiBatchLines.lineField("tenant")).isEqualTo("tenant");
    }

    @Test
    void aCustomIdATaskIdCannotBeIsRefusedOnItsLineNamingCustomId() {
        for (String customId : new String[] {"jobs/2026/1", "a b", "-x", "x".repeat(129), "t?1", "caf\u00e9"}) {
            IntakeResult result = decode(line(customId));
            assertThat(result).as(customId).isInstanceOf(Rejection.class);
            assertThat(((Rejection) result).problems()).as(customId).extracting(Problem::field).containsExactly("custom_id");
        }
    }

    @Test
    void theUploadsModeIsEveryTasksModeAndABadOneIsRefusedNamingMode() throws Exception {
        OpenAiBatchLines sync = new OpenAiBatchLines(new TaskIntake(new TaskValidator(ModelRegistry.loadDefault()),
                InstantSource.fixed(Instant.parse("2026-12-04T00:00:00Z"))), "job-1", OpenAiBatchLines.checkMode("SYNC"));
        byte[] bytes = line("m-1").getBytes(StandardCharsets.UTF_8);
        IntakeResult.Ready ready = (IntakeResult.Ready) sync.decode(bytes, 0, bytes.length, ACME);
        assertThat(Json.mapper().readTree(ready.value()).path("mode").asText()).isEqualTo("sync");
        IntakeResult.Ready none = (IntakeResult.Ready) decode(line("m-2"));
        assertThat(Json.mapper().readTree(none.value()).has("mode")).isFalse();
        assertThat(OpenAiBatchLines.checkMode(" ")).isNull();
        assertThatThrownBy(() -> OpenAiBatchLines.checkMode("fast")).isInstanceOf(RejectedException.class)
                .satisfies(e -> assertThat(((RejectedException) e).rejection().problems()).extracting(Problem::field)
                        .containsExactly("mode"));
    }

    @Test
    void aCustomIdWithinThePatternIsAccepted() {
        assertThat(decode(line("job42-0001"))).isInstanceOf(IntakeResult.Ready.class);
        assertThat(decode(line("request.7:retry_1"))).isInstanceOf(IntakeResult.Ready.class);
    }

    @Test
    void aBadBodyIsReportedUnderBody() {
        IntakeResult result = decode("{\"custom_id\":\"c1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                + "\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[{\"content\":\"hi\"}],\"max_tokens\":-1}}");
        assertThat(((Rejection) result).problems()).extracting(Problem::field)
                .containsExactlyInAnyOrder("body.messages[0].role", "body.max_tokens");
    }
}
