package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Fixtures are the constructed examples of openai-batch.md §3.5 and §5. */
class OpenAiFormatTest {
    private static ResultLine line(String s) throws Exception {
        return OpenAiFormat.line(Json.mapper().readTree(s));
    }

    @Test
    void completedBatchIsNormalised() throws Exception {
        ProviderBatch b = OpenAiFormat.batch(Json.mapper().readTree("""
                {"id":"batch_68a1f0c2d4e84a9b","object":"batch","endpoint":"/v1/chat/completions",
                 "model":"gpt-4o-mini-2024-07-18","errors":null,"input_file_id":"file-9GkTqYQ3mK2dxR7s1fA0bN",
                 "completion_window":"24h","status":"completed","output_file_id":"file-Out7c2M1pQa8ZxYt3nW5rL",
                 "error_file_id":"file-Err0b9K4sLd2VfGh6jQ1uE","created_at":1755700100,"in_progress_at":1755700130,
                 "expires_at":1755786500,"finalizing_at":1755703900,"completed_at":1755703960,"failed_at":null,
                 "expired_at":null,"cancelling_at":null,"cancelled_at":null,
                 "request_counts":{"total":2,"completed":1,"failed":1},
                 "metadata":{"offpeak_batch_id":"pb-42","attempt":"1"}}"""));
        assertThat(b.id()).isEqualTo("batch_68a1f0c2d4e84a9b");
        assertThat(b.state()).isEqualTo(BatchState.COMPLETED);
        assertThat(b.pipelineBatchId()).isEqualTo("pb-42");
        assertThat(b.createdAt()).isEqualTo(Instant.ofEpochSecond(1755700100));
        assertThat(b.requestTotal()).isEqualTo(2);
        assertThat(b.outputFileId()).isEqualTo("file-Out7c2M1pQa8ZxYt3nW5rL");
        assertThat(b.errorFileId()).isEqualTo("file-Err0b9K4sLd2VfGh6jQ1uE");
        assertThat(b.tokenLimitExceeded()).isFalse();
    }

    @Test
    void enqueuedTokenLimitIsAFailedBatchWithTheCode() throws Exception {
        ProviderBatch b = OpenAiFormat.batch(Json.mapper().readTree("""
                {"id":"batch_68a1f3aa11b24c0e","object":"batch","endpoint":"/v1/chat/completions",
                 "errors":{"object":"list","data":[{"code":"token_limit_exceeded",
                   "message":"Enqueued token limit reached for gpt-4o-mini in organization org-XXXX.",
                   "param":null,"line":null}]},
                 "input_file_id":"file-9G","completion_window":"24h","status":"failed","output_file_id":null,
                 "error_file_id":null,"created_at":1755700200,"request_counts":{"total":0,"completed":0,"failed":0},
                 "metadata":null}"""));
        assertThat(b.state()).isEqualTo(BatchState.FAILED);
        assertThat(b.tokenLimitExceeded()).isTrue();
        assertThat(b.pipelineBatchId()).isNull();
        assertThat(b.errors()).singleElement().satisfies(e -> assertThat(e.line()).isNull());
    }

    @Test
    void everyStatusMapsAndUnknownOnesKeepPolling() {
        assertThat(OpenAiFormat.state("validating")).isEqualTo(BatchState.VALIDATING);
        assertThat(OpenAiFormat.state("finalizing")).isEqualTo(BatchState.FINALIZING);
        assertThat(OpenAiFormat.state("cancelling")).isEqualTo(BatchState.CANCELLING);
        assertThat(OpenAiFormat.state("cancelled")).isEqualTo(BatchState.CANCELLED);
        assertThat(OpenAiFormat.state("expired")).isEqualTo(BatchState.EXPIRED);
        assertThat(OpenAiFormat.state("paused_for_maintenance").terminal()).isFalse();
    }

    @Test
    void successfulLineCarriesBodyAndUsage() throws Exception {
        ResultLine l = line("""
                {"id":"batch_req_68a1f9d0e3","custom_id":"job42-0001","response":{"status_code":200,"request_id":"req_5b1c0e2f7a9d","body":{"id":"chatcmpl-C1xY","object":"chat.completion","created":1755701000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"positive","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":16,"completion_tokens":1,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_abc123"}},"error":null}""");
        assertThat(l.requestId()).isEqualTo("job42-0001");
        assertThat(l.outcome()).isEqualTo(LineOutcome.SUCCEEDED);
        assertThat(l.httpStatus()).isEqualTo(200);
        assertThat(l.response().path("choices").get(0).path("message").path("content").asText()).isEqualTo("positive");
        assertThat(l.usage()).isEqualTo(new Usage(16, 0, 0, 0, 1, 0));
        assertThat(l.retryable()).isFalse();
    }

    @Test
    void httpErrorLineIsErroredAndA400IsNotRetryable() throws Exception {
        ResultLine l = line("""
                {"id":"batch_req_68a1f9d0e4","custom_id":"job42-0002","response":{"status_code":400,"request_id":"req_9c2d","body":{"error":{"message":"Invalid value for 'max_tokens': must be >= 1.","type":"invalid_request_error","param":"max_tokens","code":"invalid_value"}}},"error":null}""");
        assertThat(l.outcome()).isEqualTo(LineOutcome.ERRORED);
        assertThat(l.httpStatus()).isEqualTo(400);
        assertThat(l.errorCode()).isEqualTo("invalid_value");
        assertThat(l.errorMessage()).contains("max_tokens");
        assertThat(l.retryable()).isFalse();
        assertThat(l.usage()).isEqualTo(Usage.ZERO);
    }

    @Test
    void rateLimitedAndServerErrorLinesAreRetryable() throws Exception {
        assertThat(line("""
                {"custom_id":"a","response":{"status_code":429,"body":{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}},"error":null}""")
                .retryable()).isTrue();
        assertThat(line("""
                {"custom_id":"b","response":{"status_code":500,"body":{"error":{"message":"boom","type":"server_error","code":null}}},"error":null}""")
                .errorCode()).isEqualTo("server_error");
    }

    @Test
    void expiredCancelledAndTimedOutLinesAreRetryable() throws Exception {
        ResultLine expired = line("""
                {"id":"batch_req_68a1f9d0e5","custom_id":"job42-0003","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}""");
        ResultLine cancelled = line("""
                {"id":"batch_req_68a1f9d0e6","custom_id":"job42-0004","response":null,"error":{"code":"batch_cancelled","message":"This request was cancelled before it was executed."}}""");
        ResultLine timeout = line("""
                {"custom_id":"job42-0005","response":null,"error":{"code":"request_timeout","message":"t"}}""");
        ResultLine other = line("""
                {"custom_id":"job42-0006","response":null,"error":{"code":"something_new","message":"?"}}""");
        assertThat(expired.outcome()).isEqualTo(LineOutcome.EXPIRED);
        assertThat(cancelled.outcome()).isEqualTo(LineOutcome.CANCELLED);
        assertThat(timeout.outcome()).isEqualTo(LineOutcome.ERRORED);
        assertThat(expired.retryable() && cancelled.retryable() && timeout.retryable()).isTrue();
        assertThat(other.retryable()).isFalse();
        assertThat(expired.httpStatus()).isNull();
    }
}
