package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Fixtures are the constructed examples of anthropic-message-batches.md §3.1 and §5. */
class AnthropicFormatTest {
    private static ResultLine line(String s) throws Exception {
        return AnthropicFormat.line(Json.mapper().readTree(s));
    }

    @Test
    void endedBatchIsNormalised() throws Exception {
        ProviderBatch b = AnthropicFormat.batch(Json.mapper().readTree("""
                {"id":"msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d","type":"message_batch","processing_status":"ended",
                 "request_counts":{"processing":0,"succeeded":1,"errored":1,"canceled":0,"expired":0},
                 "ended_at":"2026-08-20T18:49:02.551201Z","created_at":"2026-08-20T18:37:24.100435Z",
                 "expires_at":"2026-08-21T18:37:24.100435Z","archived_at":null,"cancel_initiated_at":null,
                 "results_url":"https://api.anthropic.com/v1/messages/batches/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d/results"}"""));
        assertThat(b.state()).isEqualTo(BatchState.ENDED);
        assertThat(b.requestTotal()).isEqualTo(2);
        assertThat(b.createdAt()).isEqualTo(Instant.parse("2026-08-20T18:37:24.100435Z"));
        assertThat(b.resultsUrl()).endsWith("/results");
        assertThat(b.raw()).containsEntry("succeeded", "1").containsEntry("errored", "1");
    }

    @Test
    void statesAndOffsetsOtherThanZ() {
        assertThat(AnthropicFormat.state("in_progress")).isEqualTo(BatchState.IN_PROGRESS);
        assertThat(AnthropicFormat.state("canceling")).isEqualTo(BatchState.CANCELLING);
        assertThat(AnthropicFormat.instant("2026-08-20T18:37:24.100435+00:00"))
                .isEqualTo(Instant.parse("2026-08-20T18:37:24.100435Z"));
    }

    @Test
    void succeededLineBillsCacheReadsAsCached() throws Exception {
        ResultLine l = line("""
                {"custom_id":"job42-0001","result":{"type":"succeeded","message":{"id":"msg_01Fq","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"positive"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":14,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":3,"service_tier":"batch"}}}}""");
        assertThat(l.outcome()).isEqualTo(LineOutcome.SUCCEEDED);
        assertThat(l.httpStatus()).isEqualTo(200);
        assertThat(l.response().path("content").get(0).path("text").asText()).isEqualTo("positive");
        assertThat(l.usage()).isEqualTo(new Usage(14, 2048, 0, 0, 3, 0));
    }

    @Test
    void invalidRequestErrorsAreNotRetryableOtherErrorsAre() throws Exception {
        ResultLine invalid = line("""
                {"custom_id":"job42-0002","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 100000 > 64000"},"request_id":null}}}""");
        ResultLine overloaded = line("""
                {"custom_id":"job42-0005","result":{"type":"errored","error":{"type":"error","error":{"type":"overloaded_error","message":"Overloaded","details":{"error_visibility":"user_facing"}},"request_id":"workerreq_1"}}}""");
        assertThat(invalid.outcome()).isEqualTo(LineOutcome.ERRORED);
        assertThat(invalid.errorCode()).isEqualTo("invalid_request_error");
        assertThat(invalid.retryable()).isFalse();
        assertThat(invalid.httpStatus()).isNull();
        assertThat(overloaded.retryable()).isTrue();
        assertThat(overloaded.usage()).isEqualTo(Usage.ZERO);
    }

    @ParameterizedTest
    @CsvSource({
        "invalid_request_error, false", "request_too_large, false", "authentication_error, false",
        "permission_error, false", "billing_error, false", "not_found_error, false",
        "api_error, true", "overloaded_error, true", "rate_limit_error, true", "timeout_error, true",
        "some_future_error, true"
    })
    void errorTypesThatASecondSendCannotFixAreNotRetried(String type, boolean retryable) throws Exception {
        ResultLine l = line("{\"custom_id\":\"c\",\"result\":{\"type\":\"errored\",\"error\":{\"type\":\"error\","
                + "\"error\":{\"type\":\"" + type + "\",\"message\":\"m\"},\"request_id\":null}}}");
        assertThat(l.errorCode()).isEqualTo(type);
        assertThat(l.retryable()).isEqualTo(retryable);
    }

    @Test
    void canceledAndExpiredLinesAreRetryable() throws Exception {
        ResultLine canceled = line("{\"custom_id\":\"job42-0003\",\"result\":{\"type\":\"canceled\"}}");
        ResultLine expired = line("{\"custom_id\":\"job42-0004\",\"result\":{\"type\":\"expired\"}}");
        assertThat(canceled.outcome()).isEqualTo(LineOutcome.CANCELLED);
        assertThat(expired.outcome()).isEqualTo(LineOutcome.EXPIRED);
        assertThat(canceled.retryable() && expired.retryable()).isTrue();
    }
}
