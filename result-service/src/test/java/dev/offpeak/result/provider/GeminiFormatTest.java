package dev.offpeak.result.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offpeak.result.provider.ResultLine.LineOutcome;
import dev.offpeak.schemas.events.Usage;
import dev.offpeak.schemas.json.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Fixtures are the recorded / constructed examples of gemini-batch.md §3 and §5. */
class GeminiFormatTest {
    @Test
    void pendingOperationFromARecordedCreate() throws Exception {
        ProviderBatch b = GeminiFormat.batch(Json.mapper().readTree("""
                {"name":"batches/tti3ik8qob66dxcvynlg5swnutyntbi9aaaa",
                 "metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
                  "model":"models/gemini-2.5-flash-lite","displayName":"offpeak-pb-7",
                  "createTime":"2025-12-03T17:23:06.004734302Z","updateTime":"2025-12-03T17:23:06.004734302Z",
                  "batchStats":{"requestCount":"3","pendingRequestCount":"3"},"state":"BATCH_STATE_PENDING",
                  "name":"batches/tti3ik8qob66dxcvynlg5swnutyntbi9aaaa"}}"""));
        assertThat(b.id()).isEqualTo("batches/tti3ik8qob66dxcvynlg5swnutyntbi9aaaa");
        assertThat(b.state()).isEqualTo(BatchState.VALIDATING);
        assertThat(b.state().terminal()).isFalse();
        assertThat(b.pipelineBatchId()).isEqualTo("pb-7");
        assertThat(b.requestTotal()).isEqualTo(3);
        assertThat(b.createdAt()).isEqualTo(Instant.parse("2025-12-03T17:23:06.004734302Z"));
    }

    @Test
    void succeededWithAResponsesFileAndOthersDisplayNames() throws Exception {
        ProviderBatch b = GeminiFormat.batch(Json.mapper().readTree("""
                {"name":"batches/abc","done":true,
                 "metadata":{"displayName":"capitals-batch","state":"BATCH_STATE_SUCCEEDED",
                   "createTime":"2025-12-03T17:23:06Z","batchStats":{"requestCount":"2","successfulRequestCount":"2"},
                   "output":{"responsesFile":"files/batch-xyz"}},
                 "response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
                   "responsesFile":"files/batch-xyz"}}"""));
        assertThat(b.state()).isEqualTo(BatchState.COMPLETED);
        assertThat(b.outputFileId()).isEqualTo("files/batch-xyz");
        assertThat(b.pipelineBatchId()).isNull();
    }

    @Test
    void jobStateSpellingAndEveryTerminalState() {
        assertThat(GeminiFormat.state("JOB_STATE_SUCCEEDED")).isEqualTo(BatchState.COMPLETED);
        assertThat(GeminiFormat.state("BATCH_STATE_RUNNING")).isEqualTo(BatchState.IN_PROGRESS);
        assertThat(GeminiFormat.state("BATCH_STATE_FAILED")).isEqualTo(BatchState.FAILED);
        assertThat(GeminiFormat.state("BATCH_STATE_CANCELLED")).isEqualTo(BatchState.CANCELLED);
        assertThat(GeminiFormat.state("BATCH_STATE_EXPIRED")).isEqualTo(BatchState.EXPIRED);
        assertThat(GeminiFormat.state("BATCH_STATE_UNSPECIFIED").terminal()).isFalse();
    }

    @Test
    void aJobFailedForQuotaIsTokenLimitExceeded() throws Exception {
        ProviderBatch b = GeminiFormat.batch(Json.mapper().readTree("""
                {"name":"batches/q","done":true,"metadata":{"state":"BATCH_STATE_FAILED","createTime":"2025-12-03T17:23:06Z"},
                 "error":{"code":8,"status":"RESOURCE_EXHAUSTED","message":"Enqueued tokens over quota"}}"""));
        assertThat(b.tokenLimitExceeded()).isTrue();
    }

    @Test
    void fileLinesSucceededAndErrored() throws Exception {
        ResultLine ok = GeminiFormat.fileLine(Json.mapper().readTree("""
                {"key":"job42-0001","response":{"candidates":[{"content":{"role":"model","parts":[{"text":"positive"}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":1,"totalTokenCount":10,"cachedContentTokenCount":0},"modelVersion":"gemini-2.5-flash"}}"""));
        ResultLine bad = GeminiFormat.fileLine(Json.mapper().readTree("""
                {"key":"job42-0002","error":{"code":400,"message":"Request contains an invalid argument."}}"""));
        assertThat(ok.outcome()).isEqualTo(LineOutcome.SUCCEEDED);
        assertThat(ok.usage()).isEqualTo(new Usage(9, 0, 0, 0, 1, 0));
        assertThat(bad.outcome()).isEqualTo(LineOutcome.ERRORED);
        assertThat(bad.httpStatus()).isEqualTo(400);
        assertThat(bad.retryable()).isFalse();
    }

    @Test
    void inlinedResponsesUseTheMetadataKeyAndRetryableCodes() throws Exception {
        ResultLine unavailable = GeminiFormat.inlineLine(Json.mapper().readTree("""
                {"metadata":{"key":"job42-0003"},"error":{"code":503,"message":"The model is overloaded."}}"""));
        assertThat(unavailable.requestId()).isEqualTo("job42-0003");
        assertThat(unavailable.retryable()).isTrue();
        for (int code : new int[] {429, 500, 504}) {
            assertThat(GeminiFormat.inlineLine(Json.mapper().readTree(
                    "{\"metadata\":{\"key\":\"k\"},\"error\":{\"code\":" + code + ",\"message\":\"m\"}}")).retryable())
                    .isTrue();
        }
    }

    @Test
    void outputIsReadFromMetadataWhenOnlyThePythonSdkPlaceIsFilled() throws Exception {
        var op = Json.mapper().readTree("""
                {"name":"batches/i","done":true,"metadata":{"state":"BATCH_STATE_SUCCEEDED",
                 "output":{"inlinedResponses":{"inlinedResponses":[{"metadata":{"key":"k1"},"response":{}}]}}}}""");
        assertThat(GeminiFormat.output(op).path("inlinedResponses").path("inlinedResponses")).hasSize(1);
        assertThat(GeminiFormat.batch(op).raw()).containsEntry("inlined", "true");
    }
}
