package dev.offpeak.ingest.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenAiBatchLinesTest {
    @Test
    void taskFieldsAreReportedUnderTheLinesOwnNames() {
        assertThat(OpenAiBatchLines.lineField("task_id")).isEqualTo("custom_id");
        assertThat(OpenAiBatchLines.lineField("endpoint")).isEqualTo("url");
        assertThat(OpenAiBatchLines.lineField("model")).isEqualTo("body.model");
        assertThat(OpenAiBatchLines.lineField("request")).isEqualTo("body");
        assertThat(OpenAiBatchLines.lineField("request.messages[0].role")).isEqualTo("body.messages[0].role");
        assertThat(OpenAiBatchLines.lineField("tenant")).isEqualTo("tenant");
    }
}
